package dev.errand.cli;

import java.util.Optional;
import picocli.CommandLine.Option;

/** Where Errand runs, as the options say; {@link Settings} fills in the rest from the environment and the stack. */
public final class Connection {

    static final String HEADING = "%nWhere Errand runs (each from its option, else its environment variable, else the --stack outputs):%n";

    /** How calls to the jobs API are authenticated. */
    public enum ApiAuth { iam, none }

    @Option(names = "--region", paramLabel = "REGION",
            description = "AWS region. Default: AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1.")
    Optional<String> region = Optional.empty();

    @Option(names = "--endpoint-url", paramLabel = "URL",
            description = "Send SQS, DynamoDB and CloudFormation calls here instead of to AWS (an emulator). Default: AWS_ENDPOINT_URL."
                    + " One on this machine means the local runtime, as --local.")
    Optional<String> endpointUrl = Optional.empty();

    @Option(names = "--stack", paramLabel = "NAME",
            description = "Read the queues, table and API URL from this CloudFormation stack's outputs. Default: ERRAND_STACK.")
    Optional<String> stack = Optional.empty();

    @Option(names = "--jobs-queue", paramLabel = "URL|NAME", description = "The jobs queue. Default: ERRAND_JOBS_QUEUE_URL, then the stack's JobsQueueUrl.")
    Optional<String> jobsQueue = Optional.empty();

    @Option(names = "--dlq", paramLabel = "URL|NAME",
            description = "The dead-letter queue. Default: ERRAND_DEAD_LETTER_QUEUE_URL, then the stack's DeadLetterQueueUrl.")
    Optional<String> deadLetterQueue = Optional.empty();

    @Option(names = "--table", paramLabel = "NAME",
            description = "The job records table. Default: ERRAND_JOBS_TABLE, then the stack's JobsTableName. None: records are not reset.")
    Optional<String> table = Optional.empty();

    @Option(names = "--target-state-table", paramLabel = "NAME",
            description = "The fleet's target states (breaker, rate, pause). Default: ERRAND_TARGET_STATE_TABLE, then the stack's TargetStateTableName.")
    Optional<String> targetStateTable = Optional.empty();

    @Option(names = "--api-url", paramLabel = "URL", description = "The jobs API. Default: ERRAND_API_URL, then the stack's ApiUrl.")
    Optional<String> apiUrl = Optional.empty();

    @Option(names = "--targets-parameter", paramLabel = "NAME",
            description = "The SSM parameter holding the targets document (the console lists its targets). Default: ERRAND_TARGETS_PARAMETER,"
                    + " then the stack's TargetsParameterName, then /errand/targets.")
    Optional<String> targetsParameter = Optional.empty();

    @Option(names = "--api-auth", paramLabel = "iam|none",
            description = "Sign API calls with SigV4 (iam) or not (none). Default: none for 127.0.0.1 or localhost, iam otherwise.")
    Optional<ApiAuth> apiAuth = Optional.empty();

    @Option(names = "--local",
            description = "The local runtime of scripts/run-local.sh: SQS on 127.0.0.1:9324, the API on 127.0.0.1:3000, its queue names."
                    + " Job records, metrics and the targets document too, on its moto at 127.0.0.1:9325 (or where AWS_ENDPOINT_URL_DYNAMODB says).")
    boolean local;
}
