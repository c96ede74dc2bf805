import { describeCoordinatorShard } from './coordinator-suite';

// Shard 3 of the scenarios run in coordinator mode (test/simulation/coordinator-suite.ts).
describeCoordinatorShard(3, 3);
