import { describeCoordinatorShard } from './coordinator-suite';

// Shard 1 of the scenarios run in coordinator mode (test/simulation/coordinator-suite.ts).
describeCoordinatorShard(1, 3);
