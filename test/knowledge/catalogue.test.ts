import * as fs from 'fs';
import * as path from 'path';
import { buildCatalogueModule, readRunbookFiles, renderCatalogueModule } from '../../src/knowledge/build-catalogue';
import {
  citeRunbooks,
  findRunbook,
  INCIDENT_CATEGORIES,
  loadCatalogue,
  parseRunbook,
  REQUIRED_RUNBOOK_IDS,
  renderRunbookDocument,
  renderRunbookMetadata,
  runtimeFamily,
  RunbookValidationError,
  shippedRunbooks,
} from '../../src/knowledge/catalogue';

const ROOT = path.join(__dirname, '..', '..');

/** A valid runbook text with one field replaced. */
function runbookText(overrides: Record<string, string> = {}, body?: string): string {
  const fields: Record<string, string> = {
    entryId: 'rb-sample',
    title: 'A sample runbook',
    category: 'OUT_OF_MEMORY',
    source: 'tests',
    tags: '[oom, related:MEMORY_PRESSURE]',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-02-01T00:00:00Z',
    version: '1.2.3',
    approvedBy: 'a reviewer',
    ...overrides,
  };
  const header = Object.entries(fields).filter(([, v]) => v !== '').map(([k, v]) => `${k}: ${v}`);
  return ['---', ...header, '---', '', body ?? 'Raise memory when the REPORT line shows the limit. '.repeat(10)].join('\n');
}

describe('shipped runbook catalogue', () => {
  test('GIVEN the shipped runbooks WHEN loaded THEN every required runbook is present and valid', () => {
    const entries = shippedRunbooks();
    const ids = entries.map((e) => e.entryId);
    for (const id of REQUIRED_RUNBOOK_IDS) expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const e of entries) {
      expect(e.content.length).toBeGreaterThanOrEqual(400);
      expect(e.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(e.approvedBy).not.toBe('');
      expect(['GENERAL', ...INCIDENT_CATEGORIES]).toContain(e.category);
    }
  });

  test('GIVEN the GC runbooks WHEN read THEN there is one per managed runtime family', () => {
    const runtimeTags = shippedRunbooks().flatMap((e) => e.tags.filter((t) => t.startsWith('runtime:')));
    expect(new Set(runtimeTags)).toEqual(new Set(['runtime:nodejs', 'runtime:java', 'runtime:python', 'runtime:dotnet', 'runtime:ruby', 'runtime:go', 'runtime:provided']));
  });

  test('GIVEN the runbooks WHEN read THEN they state the Lambda memory facts correctly', () => {
    const all = shippedRunbooks().map((e) => e.content).join('\n');
    expect(findRunbook('rb-oom-kill')?.content).toContain('128 MB to 10,240 MB, in\n1 MB steps');
    expect(all).toContain('1,769 MB = one vCPU');
    expect(findRunbook('rb-when-not-to-raise-memory')?.content).toContain('Ephemeral storage is separate from\n  memory');
    expect(all).not.toMatch(/3,?008 MB (is|as) the (max|limit)/i);
  });

  test('GIVEN runbooks/*.md WHEN the catalogue module is rebuilt THEN it equals the committed generated module', () => {
    const committed = fs.readFileSync(path.join(ROOT, 'src', 'knowledge', 'runbooks.generated.ts'), 'utf-8');
    expect(buildCatalogueModule(ROOT)).toBe(committed);
  });

  test('GIVEN a runbook file that changed WHEN compared THEN the generated module is stale', () => {
    const files = readRunbookFiles(path.join(ROOT, 'runbooks'));
    const changed = files.map((f, i) => (i === 0 ? { ...f, text: f.text.replace(/version: \d+\.\d+\.\d+/, 'version: 9.9.9') } : f));
    expect(renderCatalogueModule(changed)).not.toBe(renderCatalogueModule(files));
  });

  test('GIVEN a runbook WHEN rendered for the knowledge base THEN the document has the title and the sidecar the id', () => {
    const entry = findRunbook('rb-throttling')!;
    expect(renderRunbookDocument(entry).startsWith('# Throttling: concurrency limits, not memory\n\n## What it looks like')).toBe(true);
    expect(JSON.parse(renderRunbookMetadata(entry))).toEqual({
      metadataAttributes: { entryId: 'rb-throttling', title: entry.title, category: 'THROTTLING', version: '1.0.0', documentType: 'runbook' },
    });
  });
});

describe('parseRunbook / loadCatalogue', () => {
  test('GIVEN a well-formed runbook WHEN parsed THEN every field of the knowledge-base entry model is filled', () => {
    const entry = parseRunbook({ file: 'rb-sample.md', text: runbookText() });
    expect(entry).toEqual({
      entryId: 'rb-sample',
      title: 'A sample runbook',
      category: 'OUT_OF_MEMORY',
      content: expect.stringMatching(/^Raise memory when/),
      source: 'tests',
      tags: ['oom', 'related:MEMORY_PRESSURE'],
      createdAt: '2026-01-01T00:00:00Z',
      updatedAt: '2026-02-01T00:00:00Z',
      version: '1.2.3',
      approvedBy: 'a reviewer',
    });
  });

  test('fails when the front matter lacks a field', () => {
    expect(() => parseRunbook({ file: 'rb-sample.md', text: runbookText({ approvedBy: '' }) })).toThrow(/missing front-matter fields approvedBy/);
  });

  test('fails when the category is not an incident category', () => {
    expect(() => parseRunbook({ file: 'rb-sample.md', text: runbookText({ category: 'DISK_FULL' }) })).toThrow(/category 'DISK_FULL'/);
  });

  test('fails when the version, dates or related tag are malformed', () => {
    expect(() => parseRunbook({ file: 'rb-sample.md', text: runbookText({ version: 'v1' }) })).toThrow(/version 'v1'/);
    expect(() => parseRunbook({ file: 'rb-sample.md', text: runbookText({ updatedAt: '2025-01-01T00:00:00Z' }) })).toThrow(/is before createdAt/);
    expect(() => parseRunbook({ file: 'rb-sample.md', text: runbookText({ tags: '[related:DISK]' }) })).toThrow(/tag 'related:DISK' names no incident category/);
  });

  test('fails when the file name does not match the entry id', () => {
    expect(() => parseRunbook({ file: 'other.md', text: runbookText() })).toThrow(/file name must be 'rb-sample.md'/);
  });

  test('fails when the body is too short to be useful', () => {
    expect(() => parseRunbook({ file: 'rb-sample.md', text: runbookText({}, 'Add memory.') })).toThrow(/content must have at least 400 characters, got 11/);
  });

  test('fails when an unknown front-matter field appears', () => {
    const text = runbookText().replace('version: 1.2.3', 'version: 1.2.3\nowner: me');
    expect(() => parseRunbook({ file: 'rb-sample.md', text })).toThrow(/unknown front-matter field 'owner'/);
  });

  test('fails when a required runbook is missing or an id is used twice', () => {
    const one = { file: 'rb-sample.md', text: runbookText() };
    expect(() => loadCatalogue([one, one], ['rb-sample', 'rb-rollback'])).toThrow(RunbookValidationError);
    expect(() => loadCatalogue([one, one], ['rb-sample', 'rb-rollback'])).toThrow(/runbook id 'rb-sample' is used twice.*required runbook 'rb-rollback' is missing/);
  });
});

describe('runtimeFamily', () => {
  test.each([
    ['nodejs22.x', 'nodejs'],
    ['java21', 'java'],
    ['python3.12', 'python'],
    ['dotnet8', 'dotnet'],
    ['ruby3.3', 'ruby'],
    ['provided.al2023', 'provided'],
    ['go1.x', 'go'],
    ['cobol', undefined],
  ])('GIVEN runtime %s THEN the family is %s', (runtime, family) => {
    expect(runtimeFamily(runtime)).toBe(family);
  });
});

describe('citeRunbooks', () => {
  const killed = [{ type: 'OOM_KILL', description: 'Runtime exited with error: signal: killed; Max Memory Used 512 MB of 512 MB' }];
  const ids = (refs: Array<{ id: string }>) => refs.map((r) => r.id);

  test('GIVEN an out-of-memory kill on Python WHEN cited THEN the OOM runbook leads, then the Python GC runbook and the leak runbook, then rollback', () => {
    const refs = citeRunbooks({ category: 'OUT_OF_MEMORY', isMemoryIssue: true, evidencePoints: killed }, 'python3.12');
    expect(ids(refs)).toEqual(['rb-oom-kill', 'rb-gc-python', 'rb-memory-leak', 'rb-rollback']);
    expect(refs[0]).toEqual({ id: 'rb-oom-kill', title: 'Out-of-memory kill: the runtime process was killed at the memory limit', relevance: 0.98 });
    expect(refs[1].relevance).toBe(0.6);
    expect(refs[3].relevance).toBe(0.5);
  });

  test('GIVEN memory pressure on Java WHEN cited THEN the Java GC runbook is cited and no other runtime\'s', () => {
    const refs = citeRunbooks({ category: 'MEMORY_PRESSURE', isMemoryIssue: true, evidencePoints: [] }, 'java21');
    expect(ids(refs)).toEqual(['rb-gc-java', 'rb-memory-leak', 'rb-oom-kill', 'rb-rollback']);
  });

  test('GIVEN memory pressure with stream lag in the evidence WHEN cited THEN the stream consumer runbook leads; without it, it is not cited', () => {
    const lag = [{ type: 'STREAM_LAG', description: 'the stream consumer falls behind: IteratorAge reached 125 s, while Max Memory Used was at or above 90 %' }];
    const refs = citeRunbooks({ category: 'MEMORY_PRESSURE', isMemoryIssue: true, evidencePoints: lag }, 'python3.12');
    expect(refs[0]).toMatchObject({ id: 'rb-stream-consumer-lag' });
    expect(ids(citeRunbooks({ category: 'MEMORY_PRESSURE', isMemoryIssue: true, evidencePoints: [] }, 'python3.12'))).not.toContain('rb-stream-consumer-lag');
  });

  test('GIVEN no runtime but a Node.js heap error in the evidence WHEN cited THEN the Node.js runbook is chosen from the evidence', () => {
    const evidence = [{ type: 'LANGUAGE_OOM', description: 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory' }];
    expect(ids(citeRunbooks({ category: 'OUT_OF_MEMORY', isMemoryIssue: true, evidencePoints: evidence }))).toContain('rb-gc-nodejs');
    expect(ids(citeRunbooks({ category: 'OUT_OF_MEMORY', isMemoryIssue: true, evidencePoints: killed }))).not.toContain('rb-gc-nodejs');
  });

  test('GIVEN a Go function on provided.al2023 WHEN memory pressure is cited THEN the Go runbook applies', () => {
    expect(ids(citeRunbooks({ category: 'MEMORY_PRESSURE', isMemoryIssue: true, evidencePoints: [] }, 'provided.al2023'))).toContain('rb-gc-go');
  });

  test.each([
    ['FUNCTION_TIMEOUT', ['rb-timeout-not-memory', 'rb-when-not-to-raise-memory']],
    ['DOWNSTREAM_TIMEOUT', ['rb-timeout-not-memory', 'rb-when-not-to-raise-memory']],
    ['THROTTLING', ['rb-throttling', 'rb-when-not-to-raise-memory']],
    ['INIT_FAILURE', ['rb-init-failure', 'rb-when-not-to-raise-memory']],
    ['CPU_BOUND', ['rb-cpu-bound-low-memory', 'rb-when-not-to-raise-memory']],
    ['CODE_ERROR', ['rb-when-not-to-raise-memory']],
    ['PERMISSION_ERROR', ['rb-when-not-to-raise-memory']],
    ['INSUFFICIENT_DATA', ['rb-when-not-to-raise-memory']],
    ['UNKNOWN', ['rb-when-not-to-raise-memory']],
  ] as const)('GIVEN a %s diagnosis that is not a memory issue WHEN cited THEN it cites %j', (category, expected) => {
    expect(ids(citeRunbooks({ category, isMemoryIssue: false, evidencePoints: [] }, 'nodejs22.x'))).toEqual(expected);
  });

  test('GIVEN a timeout that is a memory issue on Node.js WHEN cited THEN the heap runbook is cited beside the timeout runbook', () => {
    const refs = citeRunbooks({ category: 'FUNCTION_TIMEOUT', isMemoryIssue: true, evidencePoints: [] }, 'nodejs22.x');
    expect(ids(refs)).toEqual(['rb-timeout-not-memory', 'rb-gc-nodejs', 'rb-rollback']);
  });

  test('GIVEN evidence that names the runbook\'s tag words WHEN cited THEN relevance rises but stays at most 1', () => {
    const plain = citeRunbooks({ category: 'THROTTLING', isMemoryIssue: false, evidencePoints: [] })[0];
    const matching = citeRunbooks({
      category: 'THROTTLING',
      isMemoryIssue: false,
      evidencePoints: [{ type: 'THROTTLES', description: 'Throttles 42, TooManyRequests 429, reserved concurrency 5' }],
    })[0];
    expect(plain.relevance).toBe(0.9);
    expect(matching.relevance).toBe(0.98);
  });

  test('GIVEN every category WHEN cited THEN at most 5 references, sorted by relevance, each within 0..1', () => {
    for (const category of INCIDENT_CATEGORIES) {
      for (const isMemoryIssue of [true, false]) {
        const refs = citeRunbooks({ category, isMemoryIssue, evidencePoints: killed }, 'nodejs22.x');
        expect(refs.length).toBeLessThanOrEqual(5);
        for (const r of refs) expect(r.relevance).toBeGreaterThan(0);
        for (const r of refs) expect(r.relevance).toBeLessThanOrEqual(1);
        expect([...refs].sort((a, b) => b.relevance - a.relevance)).toEqual(refs);
      }
    }
  });
});
