import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE_PARTITION_KEY, TABLE_SORT_KEY, TABLE_TTL_ATTRIBUTE } from '../workflow/contract';

/** Properties of {@link RemediationStore}. */
export interface RemediationStoreProps {
  /**
   * Customer managed key for encryption at rest.
   *
   * @default - an AWS managed key (`alias/aws/dynamodb`)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * What happens to the table, and so to the audit trail, when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The DynamoDB table holding diagnosis records, repair records, audit entries and the per-function
 * lock, in one table (single-table design: the key prefixes tell the record kinds apart).
 *
 * Pay per request, point-in-time recovery on, encrypted at rest; lock items and old records expire
 * through the TTL attribute.
 */
export class RemediationStore extends Construct {
  /** Partition key attribute name (`LOCK#<fn>`, `FUNCTION#<fn>`, `EXECUTION#<id>`). */
  public static readonly PARTITION_KEY = TABLE_PARTITION_KEY;
  /** Sort key attribute name (`LOCK`, `STATE`, `EVIDENCE`, `DIAGNOSIS#...`, `REPAIR#...`, `AUDIT#...`). */
  public static readonly SORT_KEY = TABLE_SORT_KEY;
  /** TTL attribute (epoch seconds): locks and evidence expire by themselves. */
  public static readonly TTL_ATTRIBUTE = TABLE_TTL_ATTRIBUTE;

  /** The table. */
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: RemediationStoreProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: RemediationStore.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: RemediationStore.SORT_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: props.encryptionKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey: props.encryptionKey,
      timeToLiveAttribute: RemediationStore.TTL_ATTRIBUTE,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /** Lets the grantee read and write records and take or release locks. */
  public grantReadWriteData(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantReadWriteData(grantee);
  }

  /** Lets the grantee read records (for example an operator dashboard or the CLI). */
  public grantReadData(grantee: iam.IGrantable): iam.Grant {
    return this.table.grantReadData(grantee);
  }
}
