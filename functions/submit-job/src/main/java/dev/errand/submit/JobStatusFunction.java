package dev.errand.submit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.errand.aws.AwsClients;
import dev.errand.aws.Env;
import dev.errand.aws.JobStores;
import dev.errand.core.api.StatusApi;
import java.time.Clock;
import java.util.List;

/** {@code GET /jobs/{jobId}}: deployed only when job records are on, with read access to the table alone. */
public final class JobStatusFunction implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    /** The variables this function reads; template.yaml must set each (a template test checks). */
    public static final List<String> ENVIRONMENT = List.of(Env.JOBS_TABLE);

    private final StatusApi api;

    /** Lambda's entry point: everything from the function's environment. */
    public JobStatusFunction() {
        this(Env.system());
    }

    public JobStatusFunction(Env env) {
        env.required(Env.JOBS_TABLE);
        this.api = new StatusApi(JobStores.fromEnvironment(env, new AwsClients(env), Clock.systemUTC()));
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return ApiEvents.response(api.handle(ApiEvents.request(event)));
    }
}
