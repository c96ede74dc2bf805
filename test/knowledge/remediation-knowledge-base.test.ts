import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ACCOUNT, newStack, partitionArn, REGION, targetFunction } from './support';
import { REQUIRED_RUNBOOK_IDS } from '../../src/knowledge/catalogue';
import { RemediationKnowledgeBase } from '../../src/knowledge/remediation-knowledge-base';

function statementsOf(template: Template, policyLogicalPrefix: string): Array<Record<string, unknown>> {
  const policies = template.findResources('AWS::IAM::Policy');
  const [, policy] = Object.entries(policies).find(([id]) => id.startsWith(policyLogicalPrefix)) ?? [];
  if (!policy) throw new Error(`no policy ${policyLogicalPrefix}`);
  return (policy as { Properties: { PolicyDocument: { Statement: Array<Record<string, unknown>> } } }).Properties.PolicyDocument.Statement;
}

describe('RemediationKnowledgeBase', () => {
  test('GIVEN defaults WHEN synthesized THEN the document bucket is encrypted, private, SSL-only, versioned and logged', () => {
    const { stack } = newStack();
    new RemediationKnowledgeBase(stack, 'Kb');
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: { Rules: [{ NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^KbAccessLogs') }, LogFilePrefix: 'knowledge-documents/' },
    });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^KbDocuments') },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    t.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ VersioningConfiguration: { Status: 'Enabled' } }) });
  });

  test('GIVEN defaults WHEN synthesized THEN every shipped runbook and its metadata sidecar is deployed under runbooks/', () => {
    const { stack } = newStack();
    new RemediationKnowledgeBase(stack, 'Kb');
    const t = Template.fromStack(stack);
    const deployments = t.findResources('Custom::CDKBucketDeployment');
    expect(Object.keys(deployments)).toHaveLength(1);
    const props = Object.values(deployments)[0].Properties;
    expect(props.DestinationBucketKeyPrefix).toBe('runbooks/');
    expect(props.Prune).toBe(true);
    expect(props.SourceObjectKeys).toHaveLength(REQUIRED_RUNBOOK_IDS.length * 2);
    expect(props.DestinationBucketName).toEqual({ Ref: expect.stringMatching(/^KbDocuments/) });
  });

  test('GIVEN defaults WHEN synthesized THEN the vectors live in an S3 Vectors index sized for Titan V2 with Bedrock text non-filterable', () => {
    const { stack } = newStack();
    new RemediationKnowledgeBase(stack, 'Kb');
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::S3Vectors::VectorBucket', 1);
    t.hasResourceProperties('AWS::S3Vectors::VectorBucket', { EncryptionConfiguration: { SseType: 'AES256' } });
    t.hasResourceProperties('AWS::S3Vectors::Index', {
      VectorBucketArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KbVectorBucket'), 'VectorBucketArn'] },
      DataType: 'float32',
      Dimension: 1024,
      DistanceMetric: 'cosine',
      MetadataConfiguration: { NonFilterableMetadataKeys: ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA'] },
    });
    t.resourceCountIs('AWS::OpenSearchServerless::Collection', 0);
  });

  test('GIVEN defaults WHEN synthesized THEN the knowledge base embeds with Titan V2 into the S3 Vectors index', () => {
    const { stack } = newStack();
    new RemediationKnowledgeBase(stack, 'Kb');
    Template.fromStack(stack).hasResourceProperties('AWS::Bedrock::KnowledgeBase', {
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KbRole'), 'Arn'] },
      KnowledgeBaseConfiguration: {
        Type: 'VECTOR',
        VectorKnowledgeBaseConfiguration: {
          EmbeddingModelArn: partitionArn(`:bedrock:${REGION}::foundation-model/amazon.titan-embed-text-v2:0`),
          EmbeddingModelConfiguration: { BedrockEmbeddingModelConfiguration: { Dimensions: 1024, EmbeddingDataType: 'FLOAT32' } },
        },
      },
      StorageConfiguration: {
        Type: 'S3_VECTORS',
        S3VectorsConfiguration: { IndexArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KbVectorIndex'), 'IndexArn'] } },
      },
    });
  });

  test('GIVEN defaults WHEN synthesized THEN one S3 data source covers runbooks/ and one covers cases/', () => {
    const { stack } = newStack();
    new RemediationKnowledgeBase(stack, 'Kb');
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Bedrock::DataSource', 2);
    for (const prefix of ['runbooks/', 'cases/']) {
      t.hasResourceProperties('AWS::Bedrock::DataSource', {
        KnowledgeBaseId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Kb'), 'KnowledgeBaseId'] },
        DataDeletionPolicy: 'DELETE',
        DataSourceConfiguration: {
          Type: 'S3',
          S3Configuration: { BucketArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KbDocuments'), 'Arn'] }, InclusionPrefixes: [prefix] },
        },
        VectorIngestionConfiguration: { ChunkingConfiguration: { ChunkingStrategy: 'FIXED_SIZE', FixedSizeChunkingConfiguration: { MaxTokens: 300, OverlapPercentage: 15 } } },
      });
    }
  });

  test('GIVEN defaults WHEN synthesized THEN the knowledge-base role is trusted by Bedrock for this account only and scoped to its model, prefixes and index', () => {
    const { stack } = newStack();
    new RemediationKnowledgeBase(stack, 'Kb');
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'bedrock.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': partitionArn(`:bedrock:${REGION}:${ACCOUNT}:knowledge-base/*`) },
          },
        }],
      },
    });
    const statements = statementsOf(t, 'KbRolePolicy');
    expect(statements.map((s) => s.Sid)).toEqual(['EmbedDocuments', 'ListDocuments', 'ReadDocuments', 'WriteVectors']);
    expect(statements[0]).toMatchObject({ Action: 'bedrock:InvokeModel', Resource: partitionArn(`:bedrock:${REGION}::foundation-model/amazon.titan-embed-text-v2:0`) });
    expect(statements[1]).toMatchObject({ Action: 's3:ListBucket', Condition: { StringLike: { 's3:prefix': ['runbooks/*', 'cases/*'] } } });
    expect(statements[3]).toMatchObject({
      Action: ['s3vectors:GetIndex', 's3vectors:PutVectors', 's3vectors:GetVectors', 's3vectors:DeleteVectors', 's3vectors:QueryVectors'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^KbVectorIndex/), 'IndexArn'] },
    });
    expect(JSON.stringify(statements)).not.toContain('"s3:*"');
    expect(JSON.stringify(statements)).not.toContain('"Resource":"*"');
  });

  test('GIVEN defaults WHEN synthesized THEN an ingestion job starts after the runbooks are deployed, allowed on this knowledge base only', () => {
    const { stack } = newStack();
    new RemediationKnowledgeBase(stack, 'Kb');
    const t = Template.fromStack(stack);
    const [id, ingestion] = Object.entries(t.findResources('Custom::AWS'))[0];
    const create = JSON.stringify(ingestion.Properties.Create);
    expect(create).toContain('"service\\":\\"bedrock-agent\\"');
    expect(create).toContain('"action\\":\\"StartIngestionJob\\"');
    expect(create).toMatch(/runbooks [0-9a-f]{16}/);
    expect(ingestion.Properties.Update).toEqual(ingestion.Properties.Create);
    expect(ingestion.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^KbRunbooksCustomResource/), expect.stringMatching(/^KbRunbooksDataSource/)]));
    expect(id).toMatch(/^KbStartIngestion/);
    const policy = statementsOf(t, 'KbStartIngestionCustomResourcePolicy');
    expect(policy).toEqual([{ Action: 'bedrock:StartIngestionJob', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Kb/), 'KnowledgeBaseArn'] } }]);
  });

  test('GIVEN ingestOnDeploy false WHEN synthesized THEN no ingestion custom resource is created', () => {
    const { stack } = newStack();
    new RemediationKnowledgeBase(stack, 'Kb', { ingestOnDeploy: false });
    Template.fromStack(stack).resourceCountIs('Custom::AWS', 0);
  });

  test('GIVEN a customer key and DESTROY WHEN synthesized THEN the bucket uses the key and is emptied on delete', () => {
    const { stack } = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new RemediationKnowledgeBase(stack, 'Kb', { encryptionKey: key, removalPolicy: RemovalPolicy.DESTROY, embeddingDimensions: 512 });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['Key961B73FD', 'Arn'] } }, BucketKeyEnabled: true }] },
    });
    t.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    t.hasResourceProperties('AWS::S3Vectors::Index', { Dimension: 512 });
    t.hasResource('AWS::S3Vectors::VectorBucket', { DeletionPolicy: 'Delete' });
  });

  test('fails when the dimensions do not fit Titan Text Embeddings V2', () => {
    const { stack } = newStack();
    expect(() => new RemediationKnowledgeBase(stack, 'Kb', { embeddingDimensions: 768 }))
      .toThrow('embeddingDimensions for amazon.titan-embed-text-v2:0 must be 256, 512 or 1024, got 768');
  });

  test('GIVEN a function that records cases WHEN enabled THEN it gets the bucket, prefix, ids and may write only under cases/', () => {
    const { stack } = newStack();
    const kb = new RemediationKnowledgeBase(stack, 'Kb');
    const writer = targetFunction(stack, 'Finalize');
    kb.enableCaseRecording(writer);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          KNOWLEDGE_CASES_BUCKET: { Ref: Match.stringLikeRegexp('^KbDocuments') },
          KNOWLEDGE_CASES_PREFIX: 'cases/',
          KNOWLEDGE_BASE_ID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Kb'), 'KnowledgeBaseId'] },
          KNOWLEDGE_CASES_DATA_SOURCE_ID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KbCasesDataSource'), 'DataSourceId'] },
        },
      },
    });
    const statements = statementsOf(t, 'FinalizeServiceRoleDefaultPolicy');
    expect(statements).toEqual([
      { Action: 's3:PutObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^KbDocuments/), 'Arn'] }, '/cases/*']] } },
      { Action: 'bedrock:StartIngestionJob', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Kb/), 'KnowledgeBaseArn'] } },
    ]);
  });

  test('GIVEN a function that reads the case history WHEN enabled THEN it gets the bucket and prefix and may list and get only under cases/', () => {
    const { stack } = newStack();
    const kb = new RemediationKnowledgeBase(stack, 'Kb');
    const reader = targetFunction(stack, 'Diagnose');
    kb.enableCaseReading(reader);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { KNOWLEDGE_CASES_BUCKET: { Ref: Match.stringLikeRegexp('^KbDocuments') }, KNOWLEDGE_CASES_PREFIX: 'cases/' } },
    });
    expect(statementsOf(t, 'DiagnoseServiceRoleDefaultPolicy')).toEqual([
      {
        Sid: 'ListCaseHistory',
        Action: 's3:ListBucket',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^KbDocuments/), 'Arn'] },
        Condition: { StringLike: { 's3:prefix': ['cases/*'] } },
      },
      { Sid: 'ReadCaseHistory', Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^KbDocuments/), 'Arn'] }, '/cases/*']] } },
    ]);
  });

  test('GIVEN the diagnose role WHEN granted retrieval THEN it may call Retrieve on this knowledge base only', () => {
    const { stack } = newStack();
    const kb = new RemediationKnowledgeBase(stack, 'Kb');
    const role = new iam.Role(stack, 'Diagnose', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    kb.grantRetrieve(role);
    expect(statementsOf(Template.fromStack(stack), 'DiagnoseDefaultPolicy')).toEqual([
      { Action: 'bedrock:Retrieve', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Kb/), 'KnowledgeBaseArn'] } },
    ]);
  });

  test('GIVEN an existing knowledge base id WHEN imported THEN retrieval is granted on its ARN and nothing is created', () => {
    const { stack } = newStack();
    const kb = RemediationKnowledgeBase.fromKnowledgeBaseId(stack, 'Existing', 'KB12345678');
    const role = new iam.Role(stack, 'Diagnose', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    kb.grantRetrieve(role);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Bedrock::KnowledgeBase', 0);
    expect(kb.knowledgeBaseId).toBe('KB12345678');
    expect(statementsOf(t, 'DiagnoseDefaultPolicy')).toEqual([
      { Action: 'bedrock:Retrieve', Effect: 'Allow', Resource: partitionArn(`:bedrock:${REGION}:${ACCOUNT}:knowledge-base/KB12345678`) },
    ]);
  });

  test('fails when an existing knowledge base id is malformed', () => {
    const { stack } = newStack();
    expect(() => RemediationKnowledgeBase.fromKnowledgeBaseId(stack, 'Existing', 'kb-1')).toThrow("knowledge base id 'kb-1' must be 10 letters or digits");
  });
});
