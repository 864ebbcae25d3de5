package dev.errand.submit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.errand.aws.AwsClients;
import dev.errand.aws.Env;
import dev.errand.aws.SqsBatches;
import dev.errand.aws.SqsJobQueue;
import dev.errand.aws.JobStores;
import dev.errand.aws.TargetsLoader;
import dev.errand.core.api.JobsApi;
import dev.errand.core.job.JobIds;
import dev.errand.core.target.Targets;
import dev.errand.core.validation.JobRequestReader;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

/**
 * The API's Lambda handler (HTTP API, payload format 2.0): maps the event to an {@link ApiRequest},
 * lets {@link JobsApi} decide, and maps the answer back.
 */
public final class SubmitJobFunction implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    /** The variables this function reads; template.yaml must set each (a template test checks). */
    public static final List<String> ENVIRONMENT = List.of(Env.JOBS_QUEUE_URL, Env.TARGETS_PARAMETER, Env.MAX_BODY_BYTES,
            Env.JOBS_TABLE, Env.RECORD_TTL_DAYS);

    private final JobsApi api;

    /** Lambda's entry point: everything from the function's environment. */
    public SubmitJobFunction() {
        this(Env.system());
    }

    public SubmitJobFunction(Env env) {
        this(env, new AwsClients(env));
    }

    private SubmitJobFunction(Env env, AwsClients aws) {
        Targets targets = TargetsLoader.load(env, aws::ssm);
        int maxBodyBytes = env.integer(Env.MAX_BODY_BYTES, JobRequestReader.DEFAULT_MAX_BODY_BYTES);
        Clock clock = Clock.systemUTC();
        this.api = new JobsApi(
                new JobRequestReader(targets, maxBodyBytes),
                new SqsJobQueue(new SqsBatches(aws.sqs()), env.required(Env.JOBS_QUEUE_URL)),
                JobStores.fromEnvironment(env, aws, clock),
                // SecureRandom: Lambda's Java runtimes reseed it after a SnapStart restore, so ids stay unique
                new JobIds(clock, new SecureRandom()),
                clock,
                maxBodyBytes);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return ApiEvents.response(api.handle(ApiEvents.request(event)));
    }
}
