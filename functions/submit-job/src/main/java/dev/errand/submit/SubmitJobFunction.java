package dev.errand.submit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.errand.aws.AwsClients;
import dev.errand.aws.Env;
import dev.errand.aws.JobStores;
import dev.errand.aws.Lazy;
import dev.errand.aws.Priming;
import dev.errand.aws.RestoreSafeRandom;
import dev.errand.aws.SnapStart;
import dev.errand.aws.SqsBatches;
import dev.errand.aws.SqsJobQueue;
import dev.errand.aws.TargetsLoader;
import dev.errand.aws.EventBridgeScheduler;
import dev.errand.aws.QueueAnnouncer;
import dev.errand.core.announce.Announcements;
import dev.errand.core.api.CancelApi;
import dev.errand.core.api.JobQueue;
import dev.errand.core.api.JobScheduler;
import dev.errand.core.api.JobsApi;
import dev.errand.core.api.LaterQueue;
import java.time.Duration;
import dev.errand.core.job.Envelope;
import dev.errand.core.job.Job;
import dev.errand.core.job.JobIds;
import dev.errand.core.json.Json;
import dev.errand.core.log.Metrics;
import dev.errand.core.record.JobStore;
import dev.errand.core.log.JsonLog;
import dev.errand.core.target.TargetDirectory;
import dev.errand.core.validation.JobRequestReader;
import dev.errand.core.validation.Pointer;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The API's Lambda handler (HTTP API, payload format 2.0): maps the event to an {@link ApiRequest},
 * lets {@link JobsApi} decide, and maps the answer back.
 */
public final class SubmitJobFunction implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    /** A job that passes every rule, run through validation and encoding before the snapshot. */
    private static final String PRIMING_JOB = "{\"target\":\"%s\",\"method\":\"POST\",\"path\":\"/priming\","
            + "\"headers\":{\"X-Priming\":\"1\"},\"body\":{\"priming\":true,\"n\":[1,2.5]},\"delaySeconds\":0}";

    /** The variables this function reads; template.yaml must set each (a template test checks). */
    public static final List<String> ENVIRONMENT = List.of(Env.JOBS_QUEUE_URL, Env.TARGETS_PARAMETER, Env.TARGETS_REFRESH_SECONDS,
            Env.MAX_BODY_BYTES, Env.JOBS_TABLE, Env.RECORD_TTL_DAYS, Env.SCHEDULE_GROUP, Env.SCHEDULER_ROLE_ARN, Env.JOBS_QUEUE_ARN,
            Env.SCHEDULE_THRESHOLD_SECONDS);
    /** Read when set: a cancel is put on this EventBridge bus. */
    public static final List<String> OPTIONAL_ENVIRONMENT = List.of(Env.EVENT_BUS);

    private final JobsApi api;
    private final RestoreSafeRandom random = new RestoreSafeRandom();
    private final Runnable priming;

    /** Lambda's entry point: everything from the function's environment. */
    public SubmitJobFunction() {
        this(Env.system());
    }

    public SubmitJobFunction(Env env) {
        this(env, System.out);
    }

    /** For tests: the metrics (EMF lines) go to {@code logs}. */
    public SubmitJobFunction(Env env, PrintStream logs) {
        this(env, new AwsClients(env), logs);
    }

    private SubmitJobFunction(Env env, AwsClients aws, PrintStream logs) {
        Clock clock = Clock.systemUTC();
        TargetsLoader targets = TargetsLoader.start(env, new Lazy<>(aws::ssm), clock, new JsonLog(logs, clock));
        int maxBodyBytes = env.integer(Env.MAX_BODY_BYTES, JobRequestReader.DEFAULT_MAX_BODY_BYTES);
        SqsClient sqs = aws.sqs();
        String queueUrl = env.required(Env.JOBS_QUEUE_URL);
        JobStore store = JobStores.fromEnvironment(env, aws, clock);
        JobRequestReader reader = new JobRequestReader(TargetDirectory.live(targets), maxBodyBytes, clock);
        JobScheduler scheduler = schedulerOf(env, aws);
        JobQueue queue = new LaterQueue(new SqsJobQueue(new SqsBatches(sqs), queueUrl, clock), scheduler,
                Duration.ofSeconds(env.integer(Env.SCHEDULE_THRESHOLD_SECONDS, (int) LaterQueue.QUEUE_DELAY_LIMIT.toSeconds())), clock);
        Announcements announcements = new Announcements(store, QueueAnnouncer.fromEnvironment(env, aws, new SqsBatches(sqs, clock)), clock);
        this.api = new JobsApi(reader, queue, store, new JobIds(clock, random), clock, maxBodyBytes, new Metrics(logs, clock),
                new CancelApi(store, scheduler, announcements));
        String sampleTarget = targets.get().all().keySet().stream().findFirst().orElse("none");
        this.priming = () -> {
            if (Json.parse(PRIMING_JOB.formatted(sampleTarget)) instanceof Json.Parsed.Value v
                    && reader.read(v.value(), Pointer.ROOT) instanceof JobRequestReader.Read.Ok ok) {
                Envelope.encode(new Job(new JobIds(clock, random).next(), ok.request(), clock.instant(), 0));
            }
            Priming.queue(sqs, queueUrl);
            Priming.records(store);
        };
        SnapStart.register(this::prime, () -> {
            random.renew();
            targets.stale();
        });
    }

    /** EventBridge Scheduler when the environment names its group; without it, jobs beyond the queue's delay are refused. */
    private static JobScheduler schedulerOf(Env env, AwsClients aws) {
        return env.get(Env.SCHEDULE_GROUP).<JobScheduler>map(group -> new EventBridgeScheduler(aws.scheduler(), group,
                env.required(Env.JOBS_QUEUE_ARN), env.required(Env.SCHEDULER_ROLE_ARN))).orElse(JobScheduler.NONE);
    }

    /** Warms validation, encoding and the SDK clients without sending or writing anything. */
    void prime() {
        priming.run();
    }



    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return ApiEvents.response(api.handle(ApiEvents.request(event)));
    }
}
