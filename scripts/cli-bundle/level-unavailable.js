// dynalite keeps tables in memory unless it is given a path; the simulation never gives one.
// The on-disk store (`level` -> classic-level) loads a native addon, which a single-file bundle
// cannot carry, so the command-line bundle replaces it with this.
exports.Level = class Level {
  constructor() {
    throw new Error('on-disk DynamoDB storage is not part of the lambda-remediation bundle');
  }
};
