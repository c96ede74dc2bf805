import { describeScenarioShard } from './scenario-suite';

// Shard 2 of the scenario tests (test/simulation/scenario-suite.ts).
describeScenarioShard(2, 3);
