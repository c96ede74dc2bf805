/**
 * What happens to every AWS call a handler makes, whichever client makes it (the mocked clients
 * of the simulated services and the real DynamoDB client): the SDK's own retry around the
 * attempts (sdk-retry.ts); per attempt IAM (the caller's role), the scenario's faults, the service
 * itself, and the record of the attempt; after the call, the handler fault that may be waiting
 * for it. A call from a sandbox that a handler fault killed never leaves it.
 */
import type { CallAuthorization } from './account';
import { ApiRecorder } from './api-recorder';
import { currentCaller, SandboxGoneError } from './caller';
import { FaultInjector, serviceError } from './faults';
import { clientRetryConfig, RetriedCall, SdkRetryModel } from './sdk-retry';

export interface CallPipelineOptions {
  readonly recorder: ApiRecorder;
  readonly retry: SdkRetryModel;
  readonly now: () => number;
  readonly requestId: () => string;
  readonly faults?: FaultInjector;
}

export class CallPipeline {
  /** Authorizes the handlers' calls (IAM); undefined answers every call. */
  public authorization?: CallAuthorization;
  public faults?: FaultInjector;

  constructor(private readonly options: CallPipelineOptions) {
    this.faults = options.faults;
  }

  /**
   * Make one SDK call of `client`: `perform` is one attempt at the service (it may run several
   * times, once per attempt the SDK makes).
   */
  public async call<T>(
    client: object, service: string, operation: string, input: unknown, perform: () => Promise<T>, assumedRole?: string,
  ): Promise<RetriedCall<T>> {
    const caller = currentCaller();
    const invocation = caller?.invocation;
    if (invocation?.killed) throw new SandboxGoneError(caller!.functionName);
    const config = await clientRetryConfig(client);
    try {
      return await this.options.retry.send(client, config, async () => {
        if (invocation?.killed) throw new SandboxGoneError(caller!.functionName);
        try {
          // IAM decides before the service does anything with the request.
          await this.authorization?.check(service, operation, input, assumedRole);
          const fault = this.faults?.onCall(service, operation, this.options.now(), invocation?.executionId, invocation?.handlerId);
          if (fault && fault.effect !== 'applyThenFail') throw serviceError(service, fault.error, operation, this.options.requestId());
          const out = await perform();
          this.authorization?.observe?.(service, operation, input, out);
          // The change is made; the response is lost on the way back.
          if (fault) throw serviceError(service, fault.error, operation, this.options.requestId());
          this.options.recorder.record(service, operation, input);
          return out;
        } catch (err) {
          const name = (err as Error).name || (err as { code?: string }).code;
          if (!(err instanceof SandboxGoneError)) this.options.recorder.record(service, operation, input, name);
          throw err;
        }
      });
    } finally {
      invocation?.callDone?.(service, operation);
    }
  }
}
