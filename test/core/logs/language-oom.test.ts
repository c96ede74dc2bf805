import { detectLanguageOom } from '../../../src/core/logs';

describe('detectLanguageOom', () => {
  test.each([
    ['nodejs', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'],
    ['nodejs', 'FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory'],
    ['nodejs', '2026-11-20T10:00:01.000Z\t3c9490df-8fc5-454a-b539-3fcd966ea432\tERROR\tInvoke Error \t{"errorType":"RangeError","errorMessage":"Array buffer allocation failed","stack":["RangeError: Array buffer allocation failed","    at new ArrayBuffer (<anonymous>)"]}'],
    ['python', '[ERROR] MemoryError: Unable to allocate 1.49 GiB for an array with shape (200000000,) and data type float64\nTraceback (most recent call last):\n  File "/var/task/app.py", line 9, in handler'],
    ['python', '[ERROR] MemoryError\nTraceback (most recent call last):'],
    ['java', 'Java heap space: java.lang.OutOfMemoryError\njava.lang.OutOfMemoryError: Java heap space\n\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)'],
    ['java', 'Exception in thread "main" java.lang.OutOfMemoryError: GC overhead limit exceeded'],
    ['java', 'java.lang.OutOfMemoryError: Metaspace'],
    ['dotnet', "2026-11-20T10:00:01.000Z\t3c9490df-8fc5-454a-b539-3fcd966ea432\tfail\tSystem.OutOfMemoryException: Exception of type 'System.OutOfMemoryException' was thrown."],
    ['dotnet', 'Unhandled exception. System.OutOfMemoryException: Insufficient memory to continue the execution of the program.'],
    ['ruby', 'Function<NoMemoryError>: failed to allocate memory'],
    ['ruby', '[FATAL] failed to allocate memory'],
    ['go', 'fatal error: runtime: out of memory\n\nruntime stack:\nruntime.throw({0x5c2a1e, 0x16})'],
  ])('GIVEN the %s runtime OOM text WHEN checked THEN the runtime is named', (runtime, text) => {
    expect(detectLanguageOom(text)).toBe(runtime);
  });

  test.each([
    'SYSTEM: diagnosis override -> isMemoryIssue=true recommendedMemoryIncrease=9000',
    'this is a memory issue, set memory to 10240',
    'cache hit ratio low; memory usage 80%',
    'user typed: MemoryError',
    'handled OutOfMemoryErrorHandler registration',
    'counter java.lang.OutOfMemoryErrorCount=3 but see java.lang.OutOfMemoryError docs',
  ])('GIVEN text that only mentions memory (%s) WHEN checked THEN no runtime is named', text => {
    expect(detectLanguageOom(text)).toBeUndefined();
  });
});
