package dev.errand.process;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.errand.aws.AwsClients;
import dev.errand.aws.AwsSecretSource;
import dev.errand.aws.DynamoDbTargetStates;
import dev.errand.aws.Env;
import dev.errand.aws.JobStores;
import dev.errand.aws.Lazy;
import dev.errand.aws.Priming;
import dev.errand.aws.QueueAnnouncer;
import dev.errand.aws.RestoreSafeRandom;
import dev.errand.aws.SnapStart;
import dev.errand.aws.SqsBatches;
import dev.errand.aws.TargetsLoader;
import dev.errand.core.auth.SecretAuthenticator;
import dev.errand.core.delivery.BatchDelivery;
import dev.errand.core.fleet.FleetControl;
import dev.errand.core.delivery.BatchMetrics;
import dev.errand.core.delivery.CallResult;
import dev.errand.core.delivery.Deadline;
import dev.errand.core.delivery.IncomingMessage;
import dev.errand.core.delivery.JdkHttpCaller;
import dev.errand.core.delivery.OutcomeRules;
import dev.errand.core.delivery.RetryPolicy;
import dev.errand.core.delivery.SettleReserve;
import dev.errand.core.delivery.Settled;
import dev.errand.core.delivery.Verdict;
import dev.errand.core.job.Envelope;
import dev.errand.core.json.Json;
import dev.errand.core.log.JsonLog;
import dev.errand.core.log.Metrics;
import dev.errand.core.record.JobLife;
import dev.errand.core.record.JobStore;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoubleSupplier;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SQS consumer's Lambda handler: hands the batch to {@link BatchDelivery}, applies each outcome to SQS
 * through {@link Settlement}, and reports exactly the messages that must come back.
 */
public final class ProcessJobsFunction implements RequestHandler<SQSEvent, SQSBatchResponse> {

    /** A message read, judged and decided before the snapshot: the code paths every batch takes. */
    private static final String PRIMING_MESSAGE = "{\"v\":1,\"jobId\":\"00000000-0000-7000-8000-000000000000\","
            + "\"submittedAt\":\"2026-01-01T00:00:00Z\",\"attempts\":0,\"request\":{\"target\":\"priming\",\"method\":\"POST\","
            + "\"path\":\"/priming\",\"headers\":{},\"body\":{\"priming\":true},\"delaySeconds\":0}}";

    /**
     * Kept after settling, for the metrics and the answer to reach Lambda before its timeout: a 512 MB Lambda
     * has a third of a core, and a garbage collection or a busy neighbour can take hundreds of milliseconds.
     */
    public static final Duration ANSWER_MARGIN = Duration.ofSeconds(1);
    public static final int DEFAULT_MAX_ATTEMPTS = 12;
    /** The system attribute SQS puts on a message its redrive policy moved to a dead-letter queue. */
    static final String DEAD_LETTER_SOURCE = "DeadLetterQueueSourceArn";
    public static final int DEFAULT_RETRY_BASE_SECONDS = 30;
    public static final int DEFAULT_RETRY_MAX_SECONDS = 6 * 3600;
    /** Calls in flight per invocation: enough for a 1,000-record batch at once; the per-target caps bind first. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 1000;

    /** The variables this function reads; template.yaml must set each (a template test checks). */
    public static final List<String> ENVIRONMENT = List.of(Env.JOBS_QUEUE_URL, Env.DEAD_LETTER_QUEUE_URL,
            Env.TARGETS_PARAMETER, Env.TARGETS_REFRESH_SECONDS, Env.MAX_ATTEMPTS, Env.RETRY_BASE_SECONDS, Env.RETRY_MAX_SECONDS,
            Env.MAX_DEFERRAL_SECONDS, Env.JOBS_TABLE, Env.RECORD_TTL_DAYS, Env.TARGET_STATE_TABLE);
    /** Read when set: each final state is put on this EventBridge bus. */
    public static final List<String> OPTIONAL_ENVIRONMENT = List.of(Env.EVENT_BUS);

    private final BatchDelivery delivery;
    private final Settlement settlement;
    private final Clock clock;
    private final Metrics metrics;
    private final Runnable priming;
    private final SettleReserve reserve = new SettleReserve();
    /** Renewed after a SnapStart restore, so environments from one snapshot do not retry in step. */
    private RestoreSafeRandom jitter = new RestoreSafeRandom();

    /** Lambda's entry point: everything from the function's environment. */
    public ProcessJobsFunction() {
        this(Env.system());
    }

    public ProcessJobsFunction(Env env) {
        this(env, System.out);
    }

    /** For the local runtime: logs (JSON lines and EMF metrics) go to {@code logs}, as Lambda's go to stdout. */
    public ProcessJobsFunction(Env env, PrintStream logs) {
        this(env, new RestoreSafeRandom(), logs);
    }

    private ProcessJobsFunction(Env env, RestoreSafeRandom jitter, PrintStream logs) {
        this(env, RetryPolicy.builder().jitter(jitter::nextDouble), logs);
        this.jitter = jitter;
    }

    /**
     * For tests and the local runtime: a fixed jitter (always the full delay, say) makes the retry schedule
     * exact, and the log stream can be captured.
     */
    public ProcessJobsFunction(Env env, DoubleSupplier jitter, PrintStream logs) {
        this(env, RetryPolicy.builder().jitter(jitter), logs);
    }

    private ProcessJobsFunction(Env env, RetryPolicy.Builder policy, PrintStream logs) {
        this(env, new AwsClients(env), Clock.systemUTC(), policy, logs);
    }

    private ProcessJobsFunction(Env env, AwsClients aws, Clock clock, RetryPolicy.Builder policy, PrintStream logs) {
        JsonLog log = new JsonLog(logs, clock);
        JobStore store = JobStores.fromEnvironment(env, aws, clock);
        TargetsLoader targets = TargetsLoader.start(env, new Lazy<>(aws::ssm), clock, log);
        SqsClient sqs = aws.sqs();
        this.clock = clock;
        this.metrics = new Metrics(logs, clock);
        RetryPolicy retries = policy.maxAttempts(env.integer(Env.MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS))
                .baseDelay(Duration.ofSeconds(env.integer(Env.RETRY_BASE_SECONDS, DEFAULT_RETRY_BASE_SECONDS)))
                .maxDelay(Duration.ofSeconds(env.integer(Env.RETRY_MAX_SECONDS, DEFAULT_RETRY_MAX_SECONDS)))
                .build();
        this.delivery = new BatchDelivery(
                targets,
                JdkHttpCaller.bounded(),
                retries,
                new SecretAuthenticator(new AwsSecretSource(new Lazy<>(aws::ssm), new Lazy<>(aws::secretsManager)),
                        new Lazy<>(JdkHttpCaller::defaultClient), clock),
                log,
                clock,
                env.integer(Env.MAX_IN_FLIGHT, DEFAULT_MAX_IN_FLIGHT),
                store,
                Duration.ofSeconds(env.integer(Env.MAX_DEFERRAL_SECONDS, (int) JobLife.DEFAULT_MAX_DEFERRAL.toSeconds())),
                new FleetControl(DynamoDbTargetStates.fromEnvironment(env, aws, clock), clock, retries.random(), log, metrics),
                QueueAnnouncer.fromEnvironment(env, aws, new SqsBatches(sqs, clock)));
        String jobsQueueUrl = env.required(Env.JOBS_QUEUE_URL);
        this.settlement = new Settlement(new SqsBatches(sqs, clock), jobsQueueUrl, env.required(Env.DEAD_LETTER_QUEUE_URL), clock, log);
        this.priming = () -> {
            Envelope.decode(PRIMING_MESSAGE);
            Verdict verdict = OutcomeRules.classify(new CallResult.Responded(503, Optional.of("30"), "", Duration.ZERO), clock.instant());
            Json.write(Map.of("outcome", delivery.policy().decide(1, verdict).toString()));
            Priming.queue(sqs, jobsQueueUrl);
            Priming.records(store);
        };
        SnapStart.register(this::prime, () -> {
            jitter.renew();
            targets.stale();
        });
    }

    /** Warms decoding, the outcome rules and the SDK clients without calling a provider or writing anything. */
    void prime() {
        priming.run();
    }



    /**
     * Calls until the deadline (what Lambda left, less the settling reserve), then settles by the end less
     * the answer's margin: whatever SQS has not confirmed by then is kept, so Lambda never times out the batch.
     */
    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSEvent.SQSMessage> records = Optional.ofNullable(event.getRecords()).orElse(List.of());
        Duration remaining = Duration.ofMillis(context.getRemainingTimeInMillis());
        Instant end = clock.instant().plus(remaining);
        Deadline deadline = Deadline.after(clock, remaining.minus(reserve.reserve(remaining)));
        List<Settled> settled = delivery.deliver(records.stream().map(ProcessJobsFunction::incoming).toList(), deadline, end);
        List<String> receiptHandles = records.stream().map(SQSEvent.SQSMessage::getReceiptHandle).toList();
        Instant callsOver = clock.instant();
        List<String> failed = settlement.settle(settled, receiptHandles, end.minus(ANSWER_MARGIN));
        // what came after the calls: from their deadline if they ran past it, else from when they ended
        reserve.took(Duration.between(callsOver.isBefore(deadline.end()) ? callsOver : deadline.end(), clock.instant()));
        BatchMetrics.emit(metrics, settled, Set.copyOf(failed));
        return SQSBatchResponse.builder()
                .withBatchItemFailures(failed.stream().map(id -> new SQSBatchResponse.BatchItemFailure(id)).toList())
                .build();
    }

    private static IncomingMessage incoming(SQSEvent.SQSMessage record) {
        int receives = Optional.ofNullable(record.getAttributes())
                .map(a -> a.get("ApproximateReceiveCount"))
                .map(Integer::parseInt)
                .orElse(1);
        // a dead letter carries its reason (ours) or its source queue (SQS's redrive policy): seen here, it was redriven
        boolean redriven = Optional.ofNullable(record.getMessageAttributes())
                .map(a -> a.containsKey(Settlement.REASON) || a.containsKey(Settlement.REDRIVEN)).orElse(false)
                || Optional.ofNullable(record.getAttributes()).map(a -> a.containsKey(DEAD_LETTER_SOURCE)).orElse(false);
        return new IncomingMessage(record.getMessageId(), Optional.ofNullable(record.getBody()).orElse(""), Math.max(1, receives), redriven);
    }
}
