package dev.errand.aws;

import static dev.errand.aws.DynamoValues.describe;
import static dev.errand.aws.DynamoValues.n;
import static dev.errand.aws.DynamoValues.s;

import dev.errand.core.fleet.TargetState;
import dev.errand.core.fleet.TargetStates;
import dev.errand.core.target.RateLimit;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * The fleet's target states in one DynamoDB table keyed by {@code target}, one item per target. Reads are
 * strongly consistent (a copy is trusted for a second only); each race is one conditional write, so two
 * invocations never both open a breaker, win a probe, or take the same tokens.
 */
public final class DynamoDbTargetStates implements TargetStates {

    static final String KEY = "target";
    /** BatchGetItem takes at most 100 keys a call. */
    static final int BATCH_KEYS = 100;
    /** A take whose condition fails (the bucket held less than thought) tries again this often with what it holds. */
    static final int BUCKET_TRIES = 5;

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public DynamoDbTargetStates(DynamoDbClient dynamo, String table, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
    }

    /** The table ERRAND_TARGET_STATE_TABLE names; without one, every invocation protects its targets on its own. */
    public static TargetStates fromEnvironment(Env env, AwsClients aws, Clock clock) {
        return env.get(Env.TARGET_STATE_TABLE).<TargetStates>map(t -> new DynamoDbTargetStates(aws.dynamoDb(), t, clock))
                .orElse(TargetStates.NONE);
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public Read read(Set<String> targets) {
        try {
            Map<String, TargetState> found = new HashMap<>();
            List<String> names = List.copyOf(targets);
            for (int i = 0; i < names.size(); i += BATCH_KEYS) {
                List<Map<String, AttributeValue>> keys = names.subList(i, Math.min(names.size(), i + BATCH_KEYS)).stream()
                        .map(n -> Map.of(KEY, s(n))).toList();
                Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder().keys(keys).consistentRead(true).build());
                while (!request.isEmpty()) {
                    Map<String, KeysAndAttributes> asked = request;
                    BatchGetItemResponse response = dynamo.batchGetItem(b -> b.requestItems(asked));
                    response.responses().getOrDefault(table, List.of()).forEach(item -> found.put(item.get(KEY).s(), state(item)));
                    request = response.unprocessedKeys();
                }
            }
            return new Read.Found(found);
        } catch (SdkException e) {
            return new Read.Unavailable(describe(e));
        }
    }

    @Override
    public Counted countFailure(String target) {
        try {
            Map<String, AttributeValue> after = dynamo.updateItem(b -> b.tableName(table).key(key(target))
                    .updateExpression("ADD failures :one SET updatedAt = :now")
                    .expressionAttributeValues(Map.of(":one", n(1), ":now", n(clock.millis())))
                    .returnValues(ReturnValue.UPDATED_NEW)).attributes();
            return new Counted.Count(Integer.parseInt(after.get("failures").n()));
        } catch (SdkException e) {
            return new Counted.Unavailable(describe(e));
        }
    }

    @Override
    public Write resetFailures(String target) {
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(key(target))
                .updateExpression("SET failures = :zero, updatedAt = :now")
                .conditionExpression("failures > :zero")
                .expressionAttributeValues(Map.of(":zero", n(0), ":now", n(clock.millis())))));
    }

    @Override
    public Race open(String target, Instant nextProbeAt, Duration interval) {
        return race(target, () -> dynamo.updateItem(b -> b.tableName(table).key(key(target))
                .updateExpression("SET breaker = :open, nextProbeAt = :probe, probeInterval = :interval, openedAt = :now,"
                        + " updatedAt = :now REMOVE probeHolder, probeUntil")
                .conditionExpression("attribute_not_exists(breaker) OR breaker <> :open")
                .expressionAttributeValues(Map.of(":open", s("open"), ":probe", n(nextProbeAt.toEpochMilli()),
                        ":interval", n(interval.toMillis()), ":now", n(clock.millis())))
                .returnValues(ReturnValue.ALL_NEW)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes());
    }

    @Override
    public Race takeProbe(String target, String holder, Instant leaseUntil) {
        return race(target, () -> dynamo.updateItem(b -> b.tableName(table).key(key(target))
                .updateExpression("SET probeHolder = :holder, probeUntil = :until, updatedAt = :now")
                .conditionExpression("breaker = :open AND nextProbeAt <= :now AND (attribute_not_exists(probeUntil) OR probeUntil < :now)")
                .expressionAttributeValues(Map.of(":holder", s(holder), ":until", n(leaseUntil.toEpochMilli()),
                        ":open", s("open"), ":now", n(clock.millis())))
                .returnValues(ReturnValue.ALL_NEW)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes());
    }

    @Override
    public Write probed(String target, String holder, boolean healthy, Instant nextProbeAt, Duration interval) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":holder", s(holder));
        values.put(":now", n(clock.millis()));
        String update = healthy
                ? "SET breaker = :closed, failures = :zero, updatedAt = :now REMOVE probeHolder, probeUntil, nextProbeAt, probeInterval, openedAt"
                : "SET nextProbeAt = :probe, probeInterval = :interval, updatedAt = :now REMOVE probeHolder, probeUntil";
        if (healthy) {
            values.put(":closed", s("closed"));
            values.put(":zero", n(0));
        } else {
            values.put(":probe", n(nextProbeAt.toEpochMilli()));
            values.put(":interval", n(interval.toMillis()));
        }
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(key(target))
                .updateExpression(update)
                .conditionExpression("probeHolder = :holder")
                .expressionAttributeValues(values)));
    }

    @Override
    public Write releaseProbe(String target, String holder) {
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(key(target))
                .updateExpression("REMOVE probeHolder, probeUntil")
                .conditionExpression("probeHolder = :holder")
                .expressionAttributeValues(Map.of(":holder", s(holder)))));
    }

    /**
     * The bucket is one instant, {@code tat} (microseconds): taking tokens adds their cost to it under a
     * condition that the bucket holds them (an idle bucket, {@code tat} past, starts from now instead). Two
     * invocations taking at once both succeed when the bucket holds enough for both, and a condition that
     * fails hands back the bucket as it is, to take what it does hold.
     */
    @Override
    public Tokens takeTokens(String target, RateLimit rate, int wanted, Optional<TargetState.Bucket> seen, Instant now) {
        TargetState.Bucket view = seen.orElse(TargetState.Bucket.full(now));
        try {
            for (int tries = 0; tries < BUCKET_TRIES; tries++) {
                int n = Math.min(wanted, view.available(rate, now));
                if (n == 0) {
                    return new Tokens.Granted(0, view);
                }
                long cost = TargetState.Bucket.cost(n, rate) / 1_000;
                try {
                    if (!view.tat().isAfter(now)) {
                        long tat = micros(now) + cost;
                        dynamo.updateItem(b -> b.tableName(table).key(key(target))
                                .updateExpression("SET tat = :tat")
                                .conditionExpression("attribute_not_exists(tat) OR tat <= :now")
                                .expressionAttributeValues(Map.of(":tat", n(tat), ":now", n(micros(now))))
                                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
                        return new Tokens.Granted(n, new TargetState.Bucket(instant(tat)));
                    }
                    Map<String, AttributeValue> after = dynamo.updateItem(b -> b.tableName(table).key(key(target))
                            .updateExpression("SET tat = tat + :cost")
                            .conditionExpression("tat > :now AND tat <= :latest")
                            .expressionAttributeValues(Map.of(":cost", n(cost), ":now", n(micros(now)),
                                    ":latest", n(micros(TargetState.Bucket.latestBefore(n, rate, now)))))
                            .returnValues(ReturnValue.UPDATED_NEW)
                            .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)).attributes();
                    return new Tokens.Granted(n, new TargetState.Bucket(instant(Long.parseLong(after.get("tat").n()))));
                } catch (ConditionalCheckFailedException e) {
                    Map<String, AttributeValue> item = e.hasItem() ? e.item() : get(target);
                    view = Optional.ofNullable(item.get("tat")).map(v -> new TargetState.Bucket(instant(Long.parseLong(v.n()))))
                            .orElse(TargetState.Bucket.full(now));
                }
            }
            return new Tokens.Granted(0, view);
        } catch (SdkException e) {
            return new Tokens.Unavailable(describe(e));
        }
    }

    /** The bucket moved back by the tokens' cost: a plain subtraction, the next take clamps it to now. */
    @Override
    public Write returnTokens(String target, RateLimit rate, int n) {
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(key(target))
                .updateExpression("SET tat = tat - :cost")
                .conditionExpression("attribute_exists(tat)")
                .expressionAttributeValues(Map.of(":cost", n(TargetState.Bucket.cost(n, rate) / 1_000)))));
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    }

    private static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    @Override
    public Write hold(String target, Instant until, String reason) {
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(key(target))
                .updateExpression("SET heldUntil = :until, holdReason = :reason, updatedAt = :now")
                .conditionExpression("attribute_not_exists(heldUntil) OR heldUntil < :until")
                .expressionAttributeValues(Map.of(":until", n(until.toEpochMilli()), ":reason", s(reason), ":now", n(clock.millis())))));
    }

    @Override
    public Write pause(String target, Optional<Instant> until, String reason, String by) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":reason", s(reason));
        values.put(":by", s(by));
        values.put(":now", n(clock.millis()));
        String update = "SET paused = :true, pauseReason = :reason, pausedBy = :by, pausedAt = :now, updatedAt = :now";
        values.put(":true", AttributeValue.fromBool(true));
        if (until.isPresent()) {
            values.put(":until", n(until.get().toEpochMilli()));
            update += ", pausedUntil = :until";
        } else {
            update += " REMOVE pausedUntil";
        }
        String expression = update;
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(key(target))
                .updateExpression(expression).expressionAttributeValues(values)));
    }

    @Override
    public Write resume(String target) {
        return write(() -> dynamo.updateItem(b -> b.tableName(table).key(key(target))
                .updateExpression("SET updatedAt = :now REMOVE paused, pausedUntil, pauseReason, pausedBy, pausedAt")
                .expressionAttributeValues(Map.of(":now", n(clock.millis())))));
    }

    private Race race(String target, java.util.function.Supplier<Map<String, AttributeValue>> write) {
        try {
            return new Race.Won(state(write.get()));
        } catch (ConditionalCheckFailedException e) {
            Map<String, AttributeValue> item = e.hasItem() ? e.item() : get(target);
            return new Race.Lost(item.isEmpty() ? TargetState.fresh(target) : state(item));
        } catch (SdkException e) {
            return new Race.Unavailable(describe(e));
        }
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

    private Map<String, AttributeValue> get(String target) {
        return dynamo.getItem(b -> b.tableName(table).key(key(target)).consistentRead(true)).item();
    }

    /** An item as the state it holds; absent attributes read as a fresh target's. */
    static TargetState state(Map<String, AttributeValue> item) {
        String target = item.get(KEY).s();
        boolean open = Optional.ofNullable(item.get("breaker")).map(AttributeValue::s).filter("open"::equals).isPresent();
        Optional<TargetState.Lease> probe = Optional.ofNullable(item.get("probeHolder"))
                .map(h -> new TargetState.Lease(h.s(), millis(item, "probeUntil").orElse(Instant.EPOCH)));
        boolean paused = Optional.ofNullable(item.get("paused")).map(AttributeValue::bool).orElse(false);
        Optional<TargetState.Pause> pause = paused
                ? Optional.of(new TargetState.Pause(millis(item, "pausedUntil"), text(item, "pauseReason"), text(item, "pausedBy"),
                        millis(item, "pausedAt").orElse(Instant.EPOCH)))
                : Optional.empty();
        Optional<TargetState.Hold> hold = millis(item, "heldUntil").map(u -> new TargetState.Hold(u, text(item, "holdReason")));
        Optional<TargetState.Bucket> bucket = Optional.ofNullable(item.get("tat"))
                .map(v -> new TargetState.Bucket(instant(Long.parseLong(v.n()))));
        return new TargetState(target, open, number(item, "failures"), millis(item, "nextProbeAt"),
                Duration.ofMillis(number(item, "probeInterval")), probe, pause, hold, bucket);
    }

    private static Optional<Instant> millis(Map<String, AttributeValue> item, String name) {
        return Optional.ofNullable(item.get(name)).map(v -> Instant.ofEpochMilli(Long.parseLong(v.n())));
    }

    private static int number(Map<String, AttributeValue> item, String name) {
        return Optional.ofNullable(item.get(name)).map(v -> (int) Long.parseLong(v.n())).orElse(0);
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        return Optional.ofNullable(item.get(name)).map(AttributeValue::s).orElse("");
    }

    private static Map<String, AttributeValue> key(String target) {
        return Map.of(KEY, s(target));
    }
}
