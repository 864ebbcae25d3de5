package dev.errand.aws;

import java.util.Map;
import java.util.Optional;

/**
 * The environment variables Errand's functions read, in one place: template.yaml sets each of them, and a
 * test checks that it does. AWS_* names are the SDK's own conventions.
 */
public final class Env {

    public static final String JOBS_QUEUE_URL = "ERRAND_JOBS_QUEUE_URL";
    public static final String DEAD_LETTER_QUEUE_URL = "ERRAND_DEAD_LETTER_QUEUE_URL";
    /** Inline targets document; wins over {@link #TARGETS_PARAMETER} when set and not blank. */
    public static final String TARGETS = "ERRAND_TARGETS";
    /** Name of the SSM parameter holding the targets document. */
    public static final String TARGETS_PARAMETER = "ERRAND_TARGETS_PARAMETER";
    public static final String MAX_BODY_BYTES = "ERRAND_MAX_BODY_BYTES";
    public static final String MAX_ATTEMPTS = "ERRAND_MAX_ATTEMPTS";
    public static final String RETRY_BASE_SECONDS = "ERRAND_RETRY_BASE_SECONDS";
    public static final String RETRY_MAX_SECONDS = "ERRAND_RETRY_MAX_SECONDS";
    /** The DynamoDB table of job records; unset means job records are off. */
    public static final String JOBS_TABLE = "ERRAND_JOBS_TABLE";
    /** The DynamoDB table of the fleet's target states (breaker, rate limit, pause); unset means per-invocation protection. */
    public static final String TARGET_STATE_TABLE = "ERRAND_TARGET_STATE_TABLE";
    /** Days a job record is kept after its last change (DynamoDB TTL). */
    public static final String RECORD_TTL_DAYS = "ERRAND_RECORD_TTL_DAYS";
    /** Seconds between two reads of the targets parameter (the document may change without a deploy). */
    public static final String TARGETS_REFRESH_SECONDS = "ERRAND_TARGETS_REFRESH_SECONDS";
    /** Seconds a job may be put off without a call before it is dead-lettered (MaxDeferralSeconds). */
    public static final String MAX_DEFERRAL_SECONDS = "ERRAND_MAX_DEFERRAL_SECONDS";
    /** Calls in flight per invocation across all targets; 1 turns the consumer into a plain loop. */
    public static final String MAX_IN_FLIGHT = "ERRAND_MAX_IN_FLIGHT";

    /** EventBridge Scheduler's group for jobs due later than the queue can hold them, the role it sends with, and where to. */
    public static final String SCHEDULE_GROUP = "ERRAND_SCHEDULE_GROUP";
    public static final String SCHEDULER_ROLE_ARN = "ERRAND_SCHEDULER_ROLE_ARN";
    public static final String JOBS_QUEUE_ARN = "ERRAND_JOBS_QUEUE_ARN";
    /** Jobs due within this many seconds go on the queue with SQS's own delay; later ones are scheduled (ScheduleThresholdSeconds). */
    public static final String SCHEDULE_THRESHOLD_SECONDS = "ERRAND_SCHEDULE_THRESHOLD_SECONDS";
    /** The EventBridge bus each final state is put on; unset or blank puts none (EventBusName). */
    public static final String EVENT_BUS = "ERRAND_EVENT_BUS";

    public static final String AWS_REGION = "AWS_REGION";
    public static final String AWS_DEFAULT_REGION = "AWS_DEFAULT_REGION";
    public static final String AWS_ENDPOINT_URL = "AWS_ENDPOINT_URL";

    private final Map<String, String> values;

    public Env(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Env system() {
        return new Env(System.getenv());
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name)).filter(v -> !v.isBlank());
    }

    public String required(String name) {
        return get(name).orElseThrow(() -> new IllegalStateException(
                "environment variable " + name + " is not set; template.yaml sets it for the deployed function"));
    }

    public int integer(String name, int fallback) {
        return get(name).map(v -> parse(name, v)).orElse(fallback);
    }

    public Map<String, String> all() {
        return values;
    }

    private static int parse(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("environment variable " + name + " must be a whole number, was '" + value + "'", e);
        }
    }
}
