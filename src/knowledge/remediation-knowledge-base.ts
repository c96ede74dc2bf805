import { createHash } from 'crypto';
import { Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as s3vectors from 'aws-cdk-lib/aws-s3vectors';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { foundationModelArn, knowledgeBaseArn } from './bedrock-arns';
import { CASES_ENV, CASES_PREFIX, RUNBOOKS_PREFIX } from './cases';
import { renderRunbookDocument, renderRunbookMetadata, shippedRunbooks } from './catalogue';
import { acknowledge, acknowledgeGeneratedWildcards, acknowledgeWildcardResource, BASIC_EXECUTION_POLICY_FINDING } from './nag';

/**
 * A Bedrock knowledge base the diagnosis can retrieve runbook passages and past cases from.
 */
export interface IRemediationKnowledgeBase extends IConstruct {
  /** The knowledge base id, as the `Retrieve` API takes it. */
  readonly knowledgeBaseId: string;
  /** The knowledge base ARN. */
  readonly knowledgeBaseArn: string;

  /**
   * Allow `bedrock:Retrieve` on this knowledge base (and nothing else).
   */
  grantRetrieve(grantee: iam.IGrantable): iam.Grant;
}

/**
 * Properties of a `RemediationKnowledgeBase`.
 */
export interface RemediationKnowledgeBaseProps {
  /**
   * The Bedrock embeddings model id. It must be enabled in the account's Bedrock model access.
   *
   * @default 'amazon.titan-embed-text-v2:0'
   */
  readonly embeddingModelId?: string;

  /**
   * Vector dimensions the embeddings model produces; Titan Text Embeddings V2 supports 256, 512
   * and 1024. Fewer dimensions store less and retrieve slightly less precisely.
   *
   * @default 1024
   */
  readonly embeddingDimensions?: number;

  /**
   * Name of the knowledge base.
   *
   * @default - a name generated from the construct path
   */
  readonly knowledgeBaseName?: string;

  /**
   * Additional documents (your own runbooks, post-mortems) deployed next to the shipped runbooks
   * under the `runbooks/` prefix and indexed with them. Markdown, text, HTML, PDF, Word and CSV
   * are indexed; a `<file>.metadata.json` sidecar adds metadata attributes.
   *
   * @default - only the runbooks shipped with this library
   */
  readonly additionalDocuments?: s3deploy.ISource[];

  /**
   * Start an ingestion job after each deployment that changed the documents, so the index is
   * never older than the deployed runbooks. When false, run the sync yourself:
   * `aws bedrock-agent start-ingestion-job --knowledge-base-id ID --data-source-id ID`.
   *
   * @default true
   */
  readonly ingestOnDeploy?: boolean;

  /**
   * Customer-managed key for the document bucket (runbooks and cases). The vector bucket uses
   * S3-managed encryption (SSE-S3).
   *
   * @default - S3-managed encryption
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Bucket that receives the server access logs of the document bucket.
   *
   * @default - a new encrypted bucket that keeps logs for 90 days
   */
  readonly serverAccessLogsBucket?: s3.IBucket;

  /**
   * What happens to the document bucket, the vector bucket and the vector index when the stack
   * deletes them. With `DESTROY` the document bucket is emptied first; the vector bucket can only
   * be deleted once the knowledge base has removed its vectors.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Construct id of aws-cdk-lib's AwsCustomResource provider singleton. */
const AWS_CUSTOM_RESOURCE_SINGLETON = 'AWS679f53fac002430cb0da5b7982bd2287';

/** The embeddings model when none is given. */
const DEFAULT_EMBEDDING_MODEL = 'amazon.titan-embed-text-v2:0';
const TITAN_V2_DIMENSIONS = [256, 512, 1024];

/**
 * An opt-in Amazon Bedrock knowledge base over the runbooks shipped with this library, plus the
 * historical cases the workflow records.
 *
 * What it creates: an encrypted, SSL-only, private S3 bucket (with access logs) holding the
 * runbooks under `runbooks/` (deployed with `BucketDeployment`, one metadata sidecar per runbook
 * so retrieval results carry the runbook id) and the cases under `cases/`; an Amazon S3 Vectors
 * vector bucket and index; the knowledge base (Titan Text Embeddings V2 by default); one data
 * source per prefix; and a custom resource that starts an ingestion job after each deployment.
 *
 * Why S3 Vectors and not OpenSearch Serverless: a remediation knowledge base is small (a few
 * hundred chunks) and queried a few times per incident. OpenSearch Serverless bills for capacity
 * units whether or not anyone searches: its minimum is about USD 350 per month (2 OCUs at about
 * USD 0.24 per OCU-hour in us-east-1; about half with redundancy turned off, dev/test only).
 * S3 Vectors bills only for storage and requests: about USD 0.06 per GB-month of vectors and
 * about USD 2.50 per million queries (us-east-1, late 2025 prices). This knowledge base holds well
 * under 10 MB of vectors, so it costs cents per month at rest, and a thousand diagnoses a month
 * add well under a dollar. Query latency (sub-second rather than milliseconds) does not matter
 * next to a model call. Embeddings are billed per token at ingestion (a full re-sync of the
 * shipped runbooks is about 10,000 tokens, a fraction of a cent).
 *
 * Historical cases: call `enableCaseRecording(handler)` on the function that writes repair
 * records; it receives `KNOWLEDGE_CASES_BUCKET`, `KNOWLEDGE_CASES_PREFIX`, `KNOWLEDGE_BASE_ID` and
 * `KNOWLEDGE_CASES_DATA_SOURCE_ID`, may put objects under `cases/` only, and may start an
 * ingestion job of this knowledge base.
 *
 * Use `RemediationKnowledgeBase.fromKnowledgeBaseId` to use a knowledge base you already have.
 */
export class RemediationKnowledgeBase extends Construct implements IRemediationKnowledgeBase {
  /**
   * Use an existing knowledge base (created elsewhere) for retrieval.
   *
   * @param knowledgeBaseId the id of the knowledge base, e.g. `ABCDEFGHIJ`
   */
  public static fromKnowledgeBaseId(scope: Construct, id: string, knowledgeBaseId: string): IRemediationKnowledgeBase {
    if (!Token.isUnresolved(knowledgeBaseId) && !/^[0-9a-zA-Z]{10}$/.test(knowledgeBaseId)) {
      throw new Error(`knowledge base id '${knowledgeBaseId}' must be 10 letters or digits`);
    }
    return new ImportedKnowledgeBase(scope, id, knowledgeBaseId);
  }

  public readonly knowledgeBaseId: string;
  public readonly knowledgeBaseArn: string;
  /** The bucket holding the runbooks (`runbooks/`) and the historical cases (`cases/`). */
  public readonly documentBucket: s3.IBucket;
  /** The data source over `runbooks/`. */
  public readonly runbooksDataSourceId: string;
  /** The data source over `cases/`. */
  public readonly casesDataSourceId: string;
  /** The role Bedrock assumes to read the documents, embed them and write the vectors. */
  public readonly role: iam.IRole;
  /** The underlying knowledge base resource. */
  public readonly knowledgeBase: bedrock.CfnKnowledgeBase;
  /** The S3 Vectors index holding the embeddings. */
  public readonly vectorIndex: s3vectors.CfnIndex;

  /** The custom resource that starts an ingestion job after deployment, when `ingestOnDeploy`. */
  public readonly ingestion?: cr.AwsCustomResource;

  private readonly encryptionKey?: kms.IKey;

  public constructor(scope: Construct, id: string, props: RemediationKnowledgeBaseProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const embeddingModelId = props.embeddingModelId ?? DEFAULT_EMBEDDING_MODEL;
    const dimensions = props.embeddingDimensions ?? 1024;
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 4096) {
      throw new Error(`embeddingDimensions must be a whole number from 1 to 4096, got ${dimensions}`);
    }
    if (embeddingModelId === DEFAULT_EMBEDDING_MODEL && !TITAN_V2_DIMENSIONS.includes(dimensions)) {
      throw new Error(`embeddingDimensions for ${DEFAULT_EMBEDDING_MODEL} must be 256, 512 or 1024, got ${dimensions}`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.encryptionKey = props.encryptionKey;

    const accessLogs = props.serverAccessLogsBucket ?? this.createAccessLogsBucket(removalPolicy);
    const bucket = new s3.Bucket(this, 'Documents', {
      encryption: props.encryptionKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: props.encryptionKey ? true : undefined,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      // Versions keep a replaced runbook or case recoverable for a while, not forever.
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(90) }],
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'knowledge-documents/',
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    this.documentBucket = bucket;

    const runbooks = shippedRunbooks();
    const deployment = new s3deploy.BucketDeployment(this, 'Runbooks', {
      sources: [
        ...runbooks.flatMap((r) => [
          s3deploy.Source.data(`${r.entryId}.md`, renderRunbookDocument(r)),
          s3deploy.Source.data(`${r.entryId}.md.metadata.json`, renderRunbookMetadata(r)),
        ]),
        ...(props.additionalDocuments ?? []),
      ],
      destinationBucket: bucket,
      destinationKeyPrefix: RUNBOOKS_PREFIX,
      // Prune only inside runbooks/: a removed runbook leaves the index at the next sync, and the
      // recorded cases under cases/ are never touched.
      prune: true,
      retainOnDelete: removalPolicy !== RemovalPolicy.DESTROY,
    });

    const vectorBucket = new s3vectors.CfnVectorBucket(this, 'VectorBucket', {
      encryptionConfiguration: { sseType: 'AES256' },
    });
    vectorBucket.applyRemovalPolicy(removalPolicy);
    this.vectorIndex = new s3vectors.CfnIndex(this, 'VectorIndex', {
      vectorBucketArn: vectorBucket.attrVectorBucketArn,
      dataType: 'float32',
      dimension: dimensions,
      distanceMetric: 'cosine',
      // Bedrock stores each chunk's text and its own metadata on the vector. S3 Vectors limits
      // filterable metadata per vector (2 KB), so these two must be non-filterable.
      metadataConfiguration: { nonFilterableMetadataKeys: ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA'] },
    });
    this.vectorIndex.applyRemovalPolicy(removalPolicy);

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'bedrock', resource: 'knowledge-base', resourceName: '*' }) },
        },
      }),
      description: 'Bedrock knowledge base of lambda-auto-remediation: read runbooks and cases, embed, write vectors',
    });
    this.role = role;
    const policy = new iam.Policy(this, 'RolePolicy', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          sid: 'EmbedDocuments',
          actions: ['bedrock:InvokeModel'],
          resources: [foundationModelArn(stack, embeddingModelId)],
        }),
        new iam.PolicyStatement({
          sid: 'ListDocuments',
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': [`${RUNBOOKS_PREFIX}*`, `${CASES_PREFIX}*`] } },
        }),
        new iam.PolicyStatement({
          sid: 'ReadDocuments',
          actions: ['s3:GetObject'],
          resources: [bucket.arnForObjects(`${RUNBOOKS_PREFIX}*`), bucket.arnForObjects(`${CASES_PREFIX}*`)],
        }),
        new iam.PolicyStatement({
          sid: 'WriteVectors',
          actions: ['s3vectors:GetIndex', 's3vectors:PutVectors', 's3vectors:GetVectors', 's3vectors:DeleteVectors', 's3vectors:QueryVectors'],
          resources: [this.vectorIndex.attrIndexArn],
        }),
      ],
    });
    props.encryptionKey?.grantDecrypt(role);

    this.knowledgeBase = new bedrock.CfnKnowledgeBase(this, 'Resource', {
      name: props.knowledgeBaseName ?? Names.uniqueResourceName(this, { maxLength: 100, separator: '-' }),
      description: 'Runbooks and past repairs of lambda-auto-remediation, retrieved during diagnosis',
      roleArn: role.roleArn,
      knowledgeBaseConfiguration: {
        type: 'VECTOR',
        vectorKnowledgeBaseConfiguration: {
          embeddingModelArn: foundationModelArn(stack, embeddingModelId),
          embeddingModelConfiguration: {
            bedrockEmbeddingModelConfiguration: { dimensions, embeddingDataType: 'FLOAT32' },
          },
        },
      },
      storageConfiguration: {
        type: 'S3_VECTORS',
        s3VectorsConfiguration: { indexArn: this.vectorIndex.attrIndexArn },
      },
    });
    // Bedrock checks the role's rights when the knowledge base is created.
    this.knowledgeBase.node.addDependency(policy);
    this.knowledgeBaseId = this.knowledgeBase.attrKnowledgeBaseId;
    this.knowledgeBaseArn = this.knowledgeBase.attrKnowledgeBaseArn;

    const runbooksSource = this.createDataSource('RunbooksDataSource', 'runbooks', RUNBOOKS_PREFIX);
    const casesSource = this.createDataSource('CasesDataSource', 'cases', CASES_PREFIX);
    this.runbooksDataSourceId = runbooksSource.attrDataSourceId;
    this.casesDataSourceId = casesSource.attrDataSourceId;

    if (props.ingestOnDeploy ?? true) {
      // The description carries a hash of the shipped runbooks: a changed runbook changes the
      // custom resource's properties, so CloudFormation runs onUpdate and a new sync starts.
      const contentHash = createHash('sha256').update(JSON.stringify(runbooks)).digest('hex').slice(0, 16);
      const call: cr.AwsSdkCall = {
        service: 'bedrock-agent',
        action: 'StartIngestionJob',
        parameters: {
          knowledgeBaseId: this.knowledgeBaseId,
          dataSourceId: this.runbooksDataSourceId,
          description: `runbooks ${contentHash}`,
        },
        physicalResourceId: cr.PhysicalResourceId.of(`runbooks-ingestion-${contentHash}`),
        // A sync already running (a quick redeploy) must not fail the deployment; the next change syncs again.
        ignoreErrorCodesMatching: 'ConflictException',
      };
      const ingestion = new cr.AwsCustomResource(this, 'StartIngestion', {
        onCreate: call,
        onUpdate: call,
        policy: cr.AwsCustomResourcePolicy.fromStatements([
          new iam.PolicyStatement({ actions: ['bedrock:StartIngestionJob'], resources: [this.knowledgeBaseArn] }),
        ]),
        installLatestAwsSdk: false,
      });
      ingestion.node.addDependency(deployment, runbooksSource);
      this.ingestion = ingestion;
    }

    this.acknowledgeNagFindings(policy, deployment);
  }

  public grantRetrieve(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['bedrock:Retrieve'], resourceArns: [this.knowledgeBaseArn] });
  }

  /**
   * Let a function record past repairs as historical cases: it may put objects under `cases/`
   * (and encrypt with the bucket's key, if any) and start an ingestion job of this knowledge
   * base. Sets `KNOWLEDGE_CASES_BUCKET`, `KNOWLEDGE_CASES_PREFIX`, `KNOWLEDGE_BASE_ID` and
   * `KNOWLEDGE_CASES_DATA_SOURCE_ID` on the function.
   */
  public enableCaseRecording(handler: lambda.Function): void {
    handler.addEnvironment(CASES_ENV.bucket, this.documentBucket.bucketName);
    handler.addEnvironment(CASES_ENV.prefix, CASES_PREFIX);
    handler.addEnvironment(CASES_ENV.knowledgeBaseId, this.knowledgeBaseId);
    handler.addEnvironment(CASES_ENV.dataSourceId, this.casesDataSourceId);
    iam.Grant.addToPrincipal({
      grantee: handler,
      actions: ['s3:PutObject'],
      resourceArns: [this.documentBucket.arnForObjects(`${CASES_PREFIX}*`)],
    });
    this.encryptionKey?.grantEncrypt(handler);
    iam.Grant.addToPrincipal({ grantee: handler, actions: ['bedrock:StartIngestionJob'], resourceArns: [this.knowledgeBaseArn] });
    // The grant lands on the function's role, which may live outside the function (a shared role).
    acknowledgeWildcardResource(handler.role ?? handler, this.documentBucket.arnForObjects(`${CASES_PREFIX}*`),
      'The case writer puts one object per repair under the cases/ prefix of the knowledge base bucket; the keys are not known at deploy time.');
  }

  /**
   * Let a function read the case history: list and get the objects under `cases/` (and decrypt
   * with the bucket's key, if any). Sets `KNOWLEDGE_CASES_BUCKET` and `KNOWLEDGE_CASES_PREFIX` on
   * the function. The diagnosis reads a function's earlier cases from there (the leak rule's
   * earlier raises, the case a follow-up compares with).
   */
  public enableCaseReading(handler: lambda.Function): void {
    handler.addEnvironment(CASES_ENV.bucket, this.documentBucket.bucketName);
    handler.addEnvironment(CASES_ENV.prefix, CASES_PREFIX);
    // ListObjectsV2 is authorized as s3:ListBucket on the bucket; s3:prefix limits it to the cases
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
    handler.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ListCaseHistory',
      actions: ['s3:ListBucket'],
      resources: [this.documentBucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': [`${CASES_PREFIX}*`] } },
    }));
    handler.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ReadCaseHistory',
      actions: ['s3:GetObject'],
      resources: [this.documentBucket.arnForObjects(`${CASES_PREFIX}*`)],
    }));
    this.encryptionKey?.grantDecrypt(handler);
    acknowledgeWildcardResource(handler.role ?? handler, this.documentBucket.arnForObjects(`${CASES_PREFIX}*`),
      'The diagnosis reads the case documents of the function under the cases/ prefix of the knowledge base bucket; the keys are not known at deploy time.');
  }

  private acknowledgeNagFindings(policy: iam.Policy, deployment: s3deploy.BucketDeployment): void {
    for (const prefix of [RUNBOOKS_PREFIX, CASES_PREFIX]) {
      acknowledgeWildcardResource(policy, this.documentBucket.arnForObjects(`${prefix}*`),
        `Bedrock reads every document under the ${prefix} prefix of the knowledge base bucket; the object names are not known at deploy time.`);
    }
    acknowledgeGeneratedWildcards(deployment.handlerRole,
      'BucketDeployment (aws-cdk-lib) copies the runbook assets from the CDK asset bucket into the knowledge base bucket with these generated grants.');
    const stack = Stack.of(this);
    for (const child of stack.node.children) {
      const id = child.node.id;
      if (id.startsWith('Custom::CDKBucketDeployment') || id === AWS_CUSTOM_RESOURCE_SINGLETON) {
        acknowledge(child, BASIC_EXECUTION_POLICY_FINDING, 'aws-cdk-lib singleton provider function: AWSLambdaBasicExecutionRole only lets it write its own logs.');
        acknowledge(child, 'AwsSolutions-L1', 'aws-cdk-lib singleton provider function: aws-cdk-lib chooses and updates its runtime.');
      }
    }
  }

  private createDataSource(id: string, name: string, prefix: string): bedrock.CfnDataSource {
    return new bedrock.CfnDataSource(this, id, {
      knowledgeBaseId: this.knowledgeBaseId,
      name,
      description: `lambda-auto-remediation ${name} under s3://.../${prefix}`,
      // Removing the data source removes its vectors, so the index can be emptied and deleted.
      dataDeletionPolicy: 'DELETE',
      dataSourceConfiguration: {
        type: 'S3',
        s3Configuration: { bucketArn: this.documentBucket.bucketArn, inclusionPrefixes: [prefix] },
      },
      vectorIngestionConfiguration: {
        // About 1,200 characters per chunk: a passage fits the diagnosis prompt's passage limit.
        chunkingConfiguration: {
          chunkingStrategy: 'FIXED_SIZE',
          fixedSizeChunkingConfiguration: { maxTokens: 300, overlapPercentage: 15 },
        },
      },
    });
  }

  private createAccessLogsBucket(removalPolicy: RemovalPolicy): s3.IBucket {
    const logs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy,
      autoDeleteObjects: removalPolicy === RemovalPolicy.DESTROY,
    });
    acknowledge(logs, 'AwsSolutions-S1', 'This is the access-log bucket of the knowledge base bucket; logging it to itself would loop.');
    return logs;
  }
}

class ImportedKnowledgeBase extends Construct implements IRemediationKnowledgeBase {
  public readonly knowledgeBaseId: string;
  public readonly knowledgeBaseArn: string;

  public constructor(scope: Construct, id: string, knowledgeBaseId: string) {
    super(scope, id);
    this.knowledgeBaseId = knowledgeBaseId;
    this.knowledgeBaseArn = knowledgeBaseArn(Stack.of(scope), knowledgeBaseId);
  }

  public grantRetrieve(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['bedrock:Retrieve'], resourceArns: [this.knowledgeBaseArn] });
  }
}
