import { describeCoordinatorShard } from './coordinator-suite';

// Shard 2 of the scenarios run in coordinator mode (test/simulation/coordinator-suite.ts).
describeCoordinatorShard(2, 3);
