package dev.errand.cli;

import dev.errand.aws.AwsClients;
import dev.errand.aws.CloudWatchJson;
import dev.errand.aws.DynamoDbJobStore;
import dev.errand.aws.Env;
import dev.errand.aws.Lazy;
import dev.errand.core.record.JobStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/**
 * One command's settings. Each comes from its option, else its environment variable, else the stack's
 * output (--stack), else the local runtime's default (with --local, or an SQS endpoint on this machine);
 * clients are made on first use.
 */
final class Settings implements AutoCloseable {

    static final String STACK = "ERRAND_STACK";
    static final String API_URL = "ERRAND_API_URL";
    /** What scripts/run-local.sh serves: template.yaml's resources under the local stack name errand-local. */
    static final String LOCAL_SQS = "http://127.0.0.1:9324";
    static final String LOCAL_API = "http://127.0.0.1:3000";
    static final String LOCAL_JOBS_QUEUE = "errand-local-jobs";
    static final String LOCAL_DEAD_LETTER_QUEUE = "errand-local-dead-letters";
    static final String LOCAL_TABLE = "errand-local-JobsTable";
    static final String LOCAL_TARGET_STATE_TABLE = "errand-local-TargetStateTable";
    static final String LOCAL_DYNAMODB = "AWS_ENDPOINT_URL_DYNAMODB";
    /** The template's default TargetsParameterName, for a stack deployed before it was an output. */
    static final String DEFAULT_TARGETS_PARAMETER = "/errand/targets";
    /** Where scripts/run-local.sh runs moto for the job records and the console (LocalRuntime.LOCAL_MOTO_PORT). */
    static final String LOCAL_MOTO = "http://127.0.0.1:9325";
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");

    private final Connection options;
    private final boolean local;
    private final Env env;
    private final AwsClients aws;
    private final Lazy<SqsClient> sqs;
    private final Lazy<Optional<StackOutputs>> stack;
    private final Lazy<Boolean> localTable;

    Settings(Connection options, Map<String, String> environment) {
        this.options = options;
        this.local = options.local || sqsOnThisMachine(options, environment);
        this.env = environment(options, environment, local);
        this.aws = new AwsClients(env);
        this.sqs = new Lazy<>(aws::sqs);
        this.stack = new Lazy<>(() -> options.stack.or(() -> env.get(STACK)).map(this::outputs));
        this.localTable = new Lazy<>(this::localTableExists);
    }

    /** An SQS endpoint on this machine is the local runtime's: --endpoint-url http://127.0.0.1:9324 means --local. */
    private static boolean sqsOnThisMachine(Connection options, Map<String, String> environment) {
        return sqsEndpoint(options, environment).map(url -> LOOPBACK.contains(URI.create(url).getHost())).orElse(false);
    }

    /** Where SQS calls go when not to AWS: the SDK's own order, with --endpoint-url standing for AWS_ENDPOINT_URL. */
    private static Optional<String> sqsEndpoint(Connection options, Map<String, String> environment) {
        return Optional.ofNullable(environment.get(Env.AWS_ENDPOINT_URL + "_SQS")).or(() -> options.endpointUrl)
                .or(() -> Optional.ofNullable(environment.get(Env.AWS_ENDPOINT_URL)));
    }

    /** The process's environment with the options applied the way the SDK reads them. */
    private static Env environment(Connection options, Map<String, String> environment, boolean local) {
        Map<String, String> values = new HashMap<>(environment);
        if (local) {
            if (sqsEndpoint(options, environment).isEmpty()) {
                values.put(Env.AWS_ENDPOINT_URL + "_SQS", LOCAL_SQS);
            }
            // the local runtime runs moto for job records and the console's metrics: use it when it is there
            Optional<String> moto = Optional.ofNullable(values.get(LOCAL_DYNAMODB))
                    .or(() -> listens(URI.create(LOCAL_MOTO)) ? Optional.of(LOCAL_MOTO) : Optional.empty());
            moto.ifPresent(url -> {
                values.putIfAbsent(LOCAL_DYNAMODB, url);
                values.putIfAbsent(Env.AWS_ENDPOINT_URL + "_CLOUDWATCH", url);
                values.putIfAbsent(Env.AWS_ENDPOINT_URL + "_SSM", url);
            });
            values.putIfAbsent(Env.AWS_REGION, "us-east-1");
            // the emulators take any credentials; real ones would only be sent to localhost
            values.putIfAbsent("AWS_ACCESS_KEY_ID", "local");
            values.putIfAbsent("AWS_SECRET_ACCESS_KEY", "local");
        }
        options.region.ifPresent(r -> values.put(Env.AWS_REGION, r));
        options.endpointUrl.ifPresent(u -> values.put(Env.AWS_ENDPOINT_URL, u));
        return new Env(values);
    }

    private static boolean listens(URI endpoint) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(endpoint.getHost(), endpoint.getPort()), 300);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    AwsClients aws() {
        return aws;
    }

    SqsClient sqs() {
        return sqs.get();
    }

    String jobsQueueUrl() {
        return queueUrl(jobsQueue().orElseThrow(() -> missing("the jobs queue", "--jobs-queue", Env.JOBS_QUEUE_URL)));
    }

    /** The jobs queue when one is configured and exists; for what is only nice to know. */
    Optional<String> knownJobsQueueUrl() {
        return jobsQueue().flatMap(this::findQueue);
    }

    private Optional<String> jobsQueue() {
        return options.jobsQueue.or(() -> env.get(Env.JOBS_QUEUE_URL)).or(() -> output(StackOutputs.JOBS_QUEUE_URL))
                .or(() -> local(LOCAL_JOBS_QUEUE));
    }

    String deadLetterQueueUrl() {
        return queueUrl(options.deadLetterQueue.or(() -> env.get(Env.DEAD_LETTER_QUEUE_URL))
                .or(() -> output(StackOutputs.DEAD_LETTER_QUEUE_URL)).or(() -> local(LOCAL_DEAD_LETTER_QUEUE))
                .orElseThrow(() -> missing("the dead-letter queue", "--dlq", Env.DEAD_LETTER_QUEUE_URL)));
    }

    /** The job records table; empty when none is configured (records off, or not given). */
    Optional<String> table() {
        return options.table.or(() -> env.get(Env.JOBS_TABLE)).or(() -> output(StackOutputs.JOBS_TABLE_NAME))
                .or(() -> local && localTable.get() ? Optional.of(LOCAL_TABLE) : Optional.empty());
    }

    /** The fleet's target state table; locally the runtime's, when its moto runs (without it there is no fleet-wide state). */
    Optional<String> targetStateTable() {
        return options.targetStateTable.or(() -> env.get(Env.TARGET_STATE_TABLE)).or(() -> output(StackOutputs.TARGET_STATE_TABLE_NAME))
                .or(() -> local && env.get(LOCAL_DYNAMODB).isPresent() ? Optional.of(LOCAL_TARGET_STATE_TABLE) : Optional.empty());
    }

    /** Where DynamoDB calls go, in words, for a message that names what to check. */
    String dynamoDbWhere() {
        return aws.endpoint("DYNAMODB").map(u -> "DynamoDB at " + u).orElse("DynamoDB in " + aws.region().id());
    }

    /** Locally, moto may run for the console's metrics with job records off: the table says which. */
    private boolean localTableExists() {
        if (env.get(LOCAL_DYNAMODB).isEmpty()) {
            return false;
        }
        try (DynamoDbClient dynamo = aws.dynamoDb()) {
            dynamo.describeTable(b -> b.tableName(LOCAL_TABLE));
            return true;
        } catch (ResourceNotFoundException e) {
            return false;
        } catch (SdkException e) {
            // moto answers, but not for DynamoDB as expected: no records to reset rather than a run that fails on each
            return false;
        }
    }

    /** The SSM parameter holding the targets document, where the functions read it. */
    String targetsParameter() {
        return options.targetsParameter.or(() -> env.get(Env.TARGETS_PARAMETER)).or(() -> output(StackOutputs.TARGETS_PARAMETER_NAME))
                .orElse(DEFAULT_TARGETS_PARAMETER);
    }

    /** CloudWatch, for the console's per-target figures: the region's, or local moto's. */
    CloudWatchJson cloudWatch(Clock clock) {
        return CloudWatchJson.of(aws, clock);
    }

    /** Where this points, in a few words: the console's header. */
    String where() {
        if (local) {
            return "the local runtime (scripts/run-local.sh)";
        }
        return options.stack.or(() -> env.get(STACK)).map(s -> "stack " + s + " in " + aws.region().id())
                .orElse("the queues given, in " + aws.region().id());
    }

    boolean local() {
        return local;
    }

    JobStore jobStore(Clock clock) {
        Duration ttl = Duration.ofDays(env.integer(Env.RECORD_TTL_DAYS, DynamoDbJobStore.DEFAULT_TTL_DAYS));
        return table().<JobStore>map(t -> new DynamoDbJobStore(aws.dynamoDb(), t, clock, ttl)).orElse(JobStore.NONE);
    }

    URI apiUrl() {
        return knownApiUrl().orElseThrow(() -> missing("the jobs API", "--api-url", API_URL));
    }

    /** The jobs API when one is configured; for what works without it (the console's reading of the queues). */
    Optional<URI> knownApiUrl() {
        return options.apiUrl.or(() -> env.get(API_URL)).or(() -> output(StackOutputs.API_URL)).or(() -> local(LOCAL_API))
                .map(url -> URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url));
    }

    /** Whether API calls are signed: as --api-auth says, else unsigned for this machine only. */
    boolean signsApiCalls() {
        return options.apiAuth.map(a -> a == Connection.ApiAuth.iam).orElseGet(() -> !LOOPBACK.contains(apiUrl().getHost()));
    }

    @Override
    public void close() {
        sqs.ifMade(SqsClient::close);
    }

    private Optional<String> output(String key) {
        return stack.get().flatMap(s -> s.get(key));
    }

    private Optional<String> local(String value) {
        return local ? Optional.of(value) : Optional.empty();
    }

    private String queueUrl(String urlOrName) {
        return findQueue(urlOrName).orElseThrow(() -> new SetupProblem("no queue named " + urlOrName + " at "
                + aws.endpoint("SQS").map(URI::toString).orElse("SQS in " + aws.region()) + "; give its URL instead"));
    }

    /** A queue URL as given, or looked up by name; empty when no queue has that name. */
    private Optional<String> findQueue(String urlOrName) {
        if (urlOrName.startsWith("http://") || urlOrName.startsWith("https://")) {
            return Optional.of(urlOrName);
        }
        try {
            return Optional.of(sqs().getQueueUrl(b -> b.queueName(urlOrName)).queueUrl());
        } catch (QueueDoesNotExistException e) {
            return Optional.empty();
        }
    }

    private StackOutputs outputs(String stackName) {
        try (CloudFormationClient cloudFormation = cloudFormation()) {
            return StackOutputs.read(cloudFormation, stackName);
        }
    }

    private CloudFormationClient cloudFormation() {
        var builder = CloudFormationClient.builder().region(aws.region()).credentialsProvider(aws.credentials())
                .httpClient(UrlConnectionHttpClient.create());
        aws.endpoint("CLOUDFORMATION").ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static SetupProblem missing(String what, String option, String variable) {
        return new SetupProblem("where is " + what + "? Give " + option + ", set " + variable
                + ", name the deployed stack with --stack (or ERRAND_STACK), or use --local for scripts/run-local.sh.");
    }
}
