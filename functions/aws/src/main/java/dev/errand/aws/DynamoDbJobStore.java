package dev.errand.aws;

import dev.errand.core.job.Job;
import dev.errand.core.job.JobId;
import dev.errand.core.record.IdempotencyKey;
import dev.errand.core.record.JobRecord;
import dev.errand.core.record.JobStatus;
import dev.errand.core.record.JobStore;
import dev.errand.core.record.RequestHash;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Job records in one DynamoDB table keyed by {@code pk}: {@code job#<id>} items hold a job's status,
 * {@code key#<hash>} items map a caller's Idempotency-Key to its job. Every status write is conditional
 * on {@code progress}, a number that only grows, so a late or repeated event never overwrites a newer
 * state, and nothing overwrites {@code succeeded}. Bodies, header values and secrets are never stored.
 */
public final class DynamoDbJobStore implements JobStore {

    /** Records are kept this long after their last change, unless ERRAND_RECORD_TTL_DAYS says otherwise. */
    public static final int DEFAULT_TTL_DAYS = 7;
    /** Longer than one SendMessage with its retries, so only a request that crashed loses the right to send. */
    static final Duration SEND_LEASE = Duration.ofSeconds(15);
    /** Errors are kept short: enough to act on, small against DynamoDB's 400 KB item limit. */
    static final int MAX_ERROR_CHARS = 1024;
    static final String PK = "pk";
    /** The dead letter (DLQ message id) the job was last requeued for, and the one whose copy is known sent. */
    static final String REDRIVE_OF = "redriveOf";
    static final String REDRIVE_SENT = "redriveSent";

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final Duration ttl;

    public DynamoDbJobStore(DynamoDbClient dynamo, String table, Clock clock, Duration ttl) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
        this.ttl = ttl;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public Creation create(Job job, Optional<IdempotencyKey> key, String requestHash) {
        try {
            return key.isEmpty() ? createPlain(job) : createWithKey(job, key.get(), requestHash, true);
        } catch (SdkException e) {
            return new Creation.Unavailable(describe(e));
        }
    }

    private Creation createPlain(Job job) {
        dynamo.putItem(b -> b.tableName(table).item(newJobItem(job, Optional.empty()))
                .conditionExpression("attribute_not_exists(pk)"));
        return new Creation.Created();
    }

    /** The key item and the job item in one transaction: the first request with a key creates both or neither. */
    private Creation createWithKey(Job job, IdempotencyKey key, String requestHash, boolean mayRetry) {
        Map<String, AttributeValue> keyItem = new HashMap<>();
        keyItem.put(PK, s(keyPk(key)));
        keyItem.put("jobId", s(job.id().value()));
        keyItem.put("requestHash", s(requestHash));
        keyItem.put("submittedAt", s(job.submittedAt().toString()));
        keyItem.put("expiresAt", n(expiry()));
        Map<String, AttributeValue> jobItem = newJobItem(job, Optional.of(key.value()));
        jobItem.put("sendLeaseUntil", n(clock.millis() + SEND_LEASE.toMillis()));
        try {
            dynamo.transactWriteItems(b -> b.transactItems(
                    TransactWriteItem.builder().put(Put.builder().tableName(table).item(keyItem)
                            .conditionExpression("attribute_not_exists(pk)").build()).build(),
                    TransactWriteItem.builder().put(Put.builder().tableName(table).item(jobItem)
                            .conditionExpression("attribute_not_exists(pk)").build()).build()));
            return new Creation.Created();
        } catch (TransactionCanceledException e) {
            return repeated(job, key, requestHash, mayRetry);
        }
    }

    /** The key exists: the same request again, or a different one under a used key. */
    private Creation repeated(Job job, IdempotencyKey key, String requestHash, boolean mayRetry) {
        Map<String, AttributeValue> keyItem = get(keyPk(key));
        if (keyItem.isEmpty()) {
            return mayRetry ? createWithKey(job, key, requestHash, false) : new Creation.Unavailable("the key item vanished twice");
        }
        JobId existing = new JobId(keyItem.get("jobId").s());
        if (!keyItem.get("requestHash").s().equals(requestHash)) {
            return new Creation.Conflict(existing);
        }
        Instant submittedAt = Instant.parse(keyItem.get("submittedAt").s());
        Map<String, AttributeValue> jobItem = get(jobPk(existing));
        if (jobItem.isEmpty()) {
            // written in one transaction with the key, the record cannot be missing for long: wait, never replace it
            return new Creation.Repeated(existing, submittedAt, Next.WAIT);
        }
        if (sent(jobItem)) {
            return new Creation.Repeated(existing, submittedAt, Next.ANSWER);
        }
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(existing))))
                    .updateExpression("SET sendLeaseUntil = :until")
                    .conditionExpression("enqueued = :false AND (attribute_not_exists(sendLeaseUntil) OR sendLeaseUntil < :now)")
                    .expressionAttributeValues(Map.of(":until", n(clock.millis() + SEND_LEASE.toMillis()),
                            ":false", AttributeValue.fromBool(false), ":now", n(clock.millis()))));
            return new Creation.Repeated(existing, submittedAt, Next.SEND);
        } catch (ConditionalCheckFailedException e) {
            return new Creation.Repeated(existing, submittedAt, sent(get(jobPk(existing))) ? Next.ANSWER : Next.WAIT);
        }
    }

    @Override
    public Write markEnqueued(JobId id) {
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(id))))
                .updateExpression("SET enqueued = :true REMOVE sendLeaseUntil")
                .conditionExpression("attribute_exists(pk)")
                .expressionAttributeValues(Map.of(":true", AttributeValue.fromBool(true)))));
    }

    @Override
    public Write release(JobId id) {
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(id))))
                .updateExpression("REMOVE sendLeaseUntil")
                .conditionExpression("enqueued = :false")
                .expressionAttributeValues(Map.of(":false", AttributeValue.fromBool(false)))));
    }

    @Override
    public Write forget(JobId id) {
        return write(() -> dynamo.deleteItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(id))))
                .conditionExpression("enqueued = :false AND progress = :zero")
                .expressionAttributeValues(Map.of(":false", AttributeValue.fromBool(false), ":zero", n(0)))));
    }

    @Override
    public Lookup find(JobId id) {
        try {
            Map<String, AttributeValue> item = get(jobPk(id));
            // a job whose message never reached the queue was never accepted: the caller got a 503
            return item.isEmpty() || !sent(item) ? new Lookup.Missing() : new Lookup.Found(record(item));
        } catch (SdkException e) {
            return new Lookup.Unavailable(describe(e));
        }
    }

    @Override
    public Claim claim(Job job, int attempt, boolean redriven, String token) {
        Map<String, String> names = Map.of("#status", "status", "#path", "path", "#target", "target", "#method", "method");
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":running", s(JobStatus.RUNNING.wire()));
        values.put(":progress", n(JobStatus.RUNNING.progress(attempt)));
        values.put(":attempts", n(attempt));
        values.put(":now", s(clock.instant().toString()));
        values.put(":expires", n(expiry()));
        values.put(":true", AttributeValue.fromBool(true));
        values.put(":id", s(job.id().value()));
        values.put(":target", s(job.request().target()));
        values.put(":method", s(job.request().method().name()));
        values.put(":path", s(job.request().path()));
        values.put(":created", s(job.submittedAt().toString()));
        values.put(":succeeded", s(JobStatus.SUCCEEDED.wire()));
        values.put(":token", s(token));
        String condition = "attribute_not_exists(pk) OR (progress < :progress AND #status <> :succeeded)";
        if (redriven) {
            values.put(":failed", s(JobStatus.FAILED.wire()));
            values.put(":dead", s(JobStatus.DEAD.wire()));
            condition += " OR #status IN (:failed, :dead)";
        }
        String finalCondition = condition;
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(job.id()))))
                    .updateExpression("SET #status = :running, progress = :progress, attempts = :attempts, updatedAt = :now,"
                            + " expiresAt = :expires, enqueued = :true, claimToken = :token, jobId = if_not_exists(jobId, :id),"
                            + " #target = if_not_exists(#target, :target), #method = if_not_exists(#method, :method),"
                            + " #path = if_not_exists(#path, :path), createdAt = if_not_exists(createdAt, :created)"
                            + " REMOVE sendLeaseUntil")
                    .conditionExpression(finalCondition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Claim.Claimed();
        } catch (ConditionalCheckFailedException e) {
            return rival(job, attempt, token, e);
        } catch (SdkException e) {
            return new Claim.Unavailable(describe(e));
        }
    }

    /** Why a claim's condition failed: our own earlier write (the SDK retried it), a success, or a newer state. */
    private Claim rival(Job job, int attempt, String token, ConditionalCheckFailedException failed) {
        try {
            Map<String, AttributeValue> old = failed.hasItem() ? failed.item() : get(jobPk(job.id()));
            JobStatus status = JobStatus.fromWire(old.get("status").s());
            int attempts = Integer.parseInt(old.get("attempts").n());
            boolean ours = status == JobStatus.RUNNING && attempts == attempt
                    && Optional.ofNullable(old.get("claimToken")).map(AttributeValue::s).filter(token::equals).isPresent();
            if (ours) {
                return new Claim.Claimed();
            }
            return status == JobStatus.SUCCEEDED ? new Claim.AlreadySucceeded() : new Claim.Superseded(status, attempts);
        } catch (SdkException e) {
            return new Claim.Unavailable(describe(e));
        }
    }

    @Override
    public Write record(JobId id, int attempt, JobStatus status, Optional<Integer> statusCode, Optional<String> error) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":status", s(status.wire()));
        values.put(":progress", n(status.progress(attempt)));
        values.put(":attempts", n(attempt));
        values.put(":now", s(clock.instant().toString()));
        values.put(":expires", n(expiry()));
        StringBuilder set = new StringBuilder("SET #status = :status, progress = :progress, attempts = :attempts,"
                + " updatedAt = :now, expiresAt = :expires");
        StringBuilder remove = new StringBuilder();
        statusCode.ifPresentOrElse(code -> {
            values.put(":code", n(code));
            set.append(", lastStatusCode = :code");
        }, () -> remove.append(" REMOVE lastStatusCode"));
        error.ifPresent(text -> {
            values.put(":error", s(text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) + "…" : text));
            set.append(", lastError = :error");
        });
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(id))))
                .updateExpression(set + remove.toString())
                .conditionExpression("attribute_exists(pk) AND progress < :progress")
                .expressionAttributeNames(Map.of("#status", "status"))
                .expressionAttributeValues(values)));
    }

    @Override
    public Requeue requeue(JobId id, String deadLetterId) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":queued", s(JobStatus.QUEUED.wire()));
        values.put(":zero", n(0));
        values.put(":now", s(clock.instant().toString()));
        values.put(":expires", n(expiry()));
        values.put(":letter", s(deadLetterId));
        values.put(":succeeded", s(JobStatus.SUCCEEDED.wire()));
        try {
            dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(id))))
                    .updateExpression("SET #status = :queued, progress = :zero, attempts = :zero, updatedAt = :now,"
                            + " expiresAt = :expires, " + REDRIVE_OF + " = :letter"
                            + " REMOVE lastStatusCode, lastError, " + REDRIVE_SENT)
                    // any state but succeeded: a message SQS moved after a crash leaves the record running
                    .conditionExpression("attribute_exists(pk) AND #status <> :succeeded"
                            + " AND (attribute_not_exists(" + REDRIVE_OF + ") OR " + REDRIVE_OF + " <> :letter)")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(values)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Requeue.Requeued();
        } catch (ConditionalCheckFailedException e) {
            return notRequeued(e.hasItem() ? e.item() : get(jobPk(id)), deadLetterId);
        } catch (SdkException e) {
            return new Requeue.Unavailable(describe(e));
        }
    }

    private static Requeue notRequeued(Map<String, AttributeValue> old, String deadLetterId) {
        if (old.isEmpty()) {
            return new Requeue.NoRecord();
        }
        if (JobStatus.fromWire(old.get("status").s()) == JobStatus.SUCCEEDED) {
            return new Requeue.AlreadySucceeded();
        }
        AttributeValue sent = old.get(REDRIVE_SENT);
        return new Requeue.AlreadyRequeued(sent != null && deadLetterId.equals(sent.s()));
    }

    @Override
    public Write redriveSent(JobId id, String deadLetterId) {
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(Map.of(PK, s(jobPk(id))))
                .updateExpression("SET " + REDRIVE_SENT + " = :letter")
                .conditionExpression(REDRIVE_OF + " = :letter")
                .expressionAttributeValues(Map.of(":letter", s(deadLetterId)))));
    }

    private Map<String, AttributeValue> newJobItem(Job job, Optional<String> key) {
        String now = clock.instant().toString();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(PK, s(jobPk(job.id())));
        item.put("jobId", s(job.id().value()));
        item.put("status", s(JobStatus.QUEUED.wire()));
        item.put("progress", n(0));
        item.put("target", s(job.request().target()));
        item.put("method", s(job.request().method().name()));
        item.put("path", s(job.request().path()));
        item.put("createdAt", s(job.submittedAt().toString()));
        item.put("updatedAt", s(now));
        item.put("attempts", n(0));
        item.put("enqueued", AttributeValue.fromBool(false));
        item.put("expiresAt", n(expiry()));
        key.ifPresent(k -> item.put("idempotencyKey", s(k)));
        return item;
    }

    private static JobRecord record(Map<String, AttributeValue> item) {
        return new JobRecord(
                new JobId(item.get("jobId").s()),
                JobStatus.fromWire(item.get("status").s()),
                item.get("target").s(),
                item.get("method").s(),
                item.get("path").s(),
                Instant.parse(item.get("createdAt").s()),
                Instant.parse(item.get("updatedAt").s()),
                Integer.parseInt(item.get("attempts").n()),
                Optional.ofNullable(item.get("lastStatusCode")).map(v -> Integer.parseInt(v.n())),
                Optional.ofNullable(item.get("lastError")).map(AttributeValue::s),
                Optional.ofNullable(item.get("idempotencyKey")).map(AttributeValue::s),
                Instant.ofEpochSecond(Long.parseLong(item.get("expiresAt").n())));
    }

    /** Sent: marked enqueued, or already picked up by the consumer. */
    private static boolean sent(Map<String, AttributeValue> item) {
        return Boolean.TRUE.equals(item.get("enqueued").bool()) || Long.parseLong(item.get("progress").n()) > 0;
    }

    private Map<String, AttributeValue> get(String pk) {
        return dynamo.getItem(b -> b.tableName(table).key(Map.of(PK, s(pk))).consistentRead(true)).item();
    }

    private Write write(Runnable update) {
        try {
            update.run();
            return new Write.Done();
        } catch (ConditionalCheckFailedException e) {
            return new Write.Stale();
        } catch (SdkException e) {
            return new Write.Unavailable(describe(e));
        }
    }

    private long expiry() {
        return clock.instant().plus(ttl).getEpochSecond();
    }

    static String jobPk(JobId id) {
        return "job#" + id.value();
    }

    /** Hashed: the key is the client's text and any length up to 255; the item key stays short and opaque. */
    static String keyPk(IdempotencyKey key) {
        return "key#" + RequestHash.sha256(key.scope() + "\n" + key.value());
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static String describe(SdkException e) {
        return "DynamoDB: " + Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
    }
}
