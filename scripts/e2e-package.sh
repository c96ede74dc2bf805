#!/usr/bin/env bash
# The published package as a user meets it. In a new folder outside the repository: create a CDK
# app, install the packed tarball into it, and run what the README tells a user to run:
#
#   npx lambda-remediation diagnose --samples
#   npx lambda-remediation diagnose --function x        (no AWS credentials: one clear line, exit 2)
#   npx lambda-remediation simulate
#   npx cdk synth                                       (an app.ts with new AutoRemediation(...))
#   npx lambda-remediation simulate --app cdk.out --scenario orders-oom.json
#
# usage: scripts/e2e-package.sh [TARBALL]
#   TARBALL defaults to dist/js/*.tgz (`npx projen compile && npx projen package:js` make it).
#   The app's packages are the versions this repository uses, installed from the npm cache when
#   they are there (npm ci put them there); only the npm registry is needed otherwise.
#   KEEP=1 keeps the app folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tarball=${1:-$(ls "$root"/dist/js/*.tgz 2>/dev/null | head -1 || true)}
if [ -z "$tarball" ] || [ ! -f "$tarball" ]; then
  echo "e2e-package: no tarball; run 'npx projen compile && npx projen package:js' first, or give one" >&2
  exit 2
fi
tarball=$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")
version_of() { (cd "$root" && node -p "require('./node_modules/$1/package.json').version"); }
# The versions this repository builds and tests with (its lockfile, as npm ci installed it).
v_cdk_lib=$(version_of aws-cdk-lib); v_constructs=$(version_of constructs); v_cdk=$(version_of aws-cdk)
v_types_node=$(version_of @types/node); v_ts_node=$(version_of ts-node); v_typescript=$(version_of typescript)

app=$(mktemp -d "${TMPDIR:-/tmp}/lambda-remediation-e2e-XXXXXX")
cleanup() { if [ "${KEEP:-}" = 1 ]; then echo "e2e-package: app kept in $app"; else rm -rf "$app"; fi; }
trap cleanup EXIT
cd "$app"
started=$(date +%s)
failures=0
fail() { echo "FAILED: $*"; failures=$((failures + 1)); }

# run NAME CMD...: print the command, its exit code, stdout and stderr (kept in $NAME.out/.err/.code)
run() {
  local name=$1; shift
  echo; echo "\$ $*"
  set +e; "$@" > "$name.out" 2> "$name.err"; echo $? > "$name.code"; set -e
  sed 's/^/  /' "$name.out" | head -"${SHOW:-40}"
  if [ -s "$name.err" ]; then echo "  [stderr]"; sed 's/^/  /' "$name.err" | head -20; fi
  echo "  [exit $(cat "$name.code")]"
}
expect_code() { [ "$(cat "$1.code")" = "$2" ] || fail "$1: exit $(cat "$1.code"), expected $2"; }
expect_out() { grep -qF -- "$2" "$1.out" || fail "$1: stdout lacks '$2'"; }
expect_err() { grep -qF -- "$2" "$1.err" || fail "$1: stderr lacks '$2'"; }

echo "== a new CDK app in $app"
cat > package.json <<EOF
{
  "name": "e2e-app",
  "version": "0.0.0",
  "private": true,
  "dependencies": {
    "aws-cdk-lib": "$v_cdk_lib",
    "constructs": "$v_constructs"
  },
  "devDependencies": {
    "@types/node": "$v_types_node",
    "aws-cdk": "$v_cdk",
    "ts-node": "$v_ts_node",
    "typescript": "$v_typescript"
  }
}
EOF
cat > tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "target": "ES2022",
    "module": "node16",
    "lib": ["es2022"],
    "strict": true,
    "esModuleInterop": true,
    "skipLibCheck": true,
    "types": ["node"]
  }
}
EOF
# ts-node type-checks app.ts against the package's declarations (no --transpile-only).
echo '{ "app": "npx ts-node app.ts" }' > cdk.json
cat > app.ts <<'EOF'
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AutoRemediation } from 'lambda-auto-remediation';

const app = new App();
const stack = new Stack(app, 'E2eApp');
const orders = new lambda.Function(stack, 'Orders', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ ok: true });'),
  memorySize: 512,
  timeout: Duration.seconds(30),
});
new AutoRemediation(stack, 'AutoRemediation', {
  functions: [orders],
  policy: { verificationWindow: Duration.minutes(10) },
});
EOF
cat > orders-oom.json <<'EOF'
{
  "name": "orders-oom",
  "description": "Orders gets larger payloads at minute 5 and runs out of memory at 512 MB.",
  "durationMinutes": 30,
  "functions": [
    {
      "functionName": "Orders",
      "workload": { "invocationsPerMinute": 30, "memoryNeedMb": 300, "cpuMsAt1Vcpu": 150, "ioMs": 40 },
      "incidents": [{ "atMinute": 5, "workload": { "memoryNeedMb": 600 } }]
    }
  ],
  "expect": {
    "outcomes": { "REPAIRED": 1 },
    "otherOutcomesAllowed": ["IGNORED", "ALREADY_IN_PROGRESS", "COOLDOWN"],
    "functions": { "Orders": { "finalMemoryMb": 768 } }
  }
}
EOF

SHOW=5 run install-app npm install --prefer-offline --no-audit --no-fund
expect_code install-app 0
SHOW=5 run install-package npm install --prefer-offline --no-audit --no-fund "$tarball"
expect_code install-package 0
# Nothing but the peers comes with it: the CLI's own dependencies are inside its bundle, and the
# AGPL IAM evaluator is never installed.
for absent in @cloud-copilot dynalite aws-local-stepfunctions @aws-lambda-powertools; do
  [ ! -e "node_modules/$absent" ] || fail "node_modules/$absent was installed"
done

echo; echo "== the command line"
run samples npx lambda-remediation diagnose --samples
expect_code samples 0
[ "$(grep -c '^{"file":' samples.out)" = 6 ] || fail "samples: expected 6 lines, each naming its file"
expect_out samples '/samples/node-heap-oom.json","functionName":"pdf-merge","isMemoryIssue":true'

# No AWS configuration at all (and no instance metadata to fall back on).
run live env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_REGION -u AWS_DEFAULT_REGION \
  -u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI -u AWS_CONTAINER_CREDENTIALS_FULL_URI -u AWS_WEB_IDENTITY_TOKEN_FILE \
  AWS_CONFIG_FILE="$app/no-aws-config" AWS_SHARED_CREDENTIALS_FILE="$app/no-aws-credentials" AWS_EC2_METADATA_DISABLED=true \
  npx lambda-remediation diagnose --function x
expect_code live 2
expect_err live 'lambda-remediation diagnose: no AWS credentials found'
! grep -qE '^\s+at |ServiceUnavailable' live.err || fail "live: a stack trace or ServiceUnavailable in: $(cat live.err)"

SHOW=30 run simulate npx lambda-remediation simulate
expect_code simulate 0
expect_out simulate '== oom-recovered: PASS'
expect_out simulate 'IAM evaluation: off (install @cloud-copilot/iam-simulate to turn it on)'

echo; echo "== the construct in the app, then the app simulated"
SHOW=10 run synth npx cdk synth -q
expect_code synth 0
[ -f cdk.out/E2eApp.template.json ] || fail "synth: no cdk.out/E2eApp.template.json"

SHOW=30 run simulate-app npx lambda-remediation simulate --app cdk.out --scenario orders-oom.json
expect_code simulate-app 0
expect_out simulate-app 'stack E2eApp (E2eApp) from cdk.out'
expect_out simulate-app '== orders-oom: PASS'

echo
echo "e2e-package: $(basename "$tarball") in a new app, $(( $(date +%s) - started )) s, $failures failure(s)"
[ "$failures" = 0 ]
