import { describeScenarioShard } from './scenario-suite';

// Shard 3 of the scenario tests (test/simulation/scenario-suite.ts).
describeScenarioShard(3, 3);
