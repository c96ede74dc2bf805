import { describeScenarioShard } from './scenario-suite';

// Shard 1 of the scenario tests (test/simulation/scenario-suite.ts).
describeScenarioShard(1, 3);
