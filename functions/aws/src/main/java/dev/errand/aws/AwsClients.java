package dev.errand.aws;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.scheduler.SchedulerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Builds SDK clients from an environment map rather than the process's, so the local runtime and tests can
 * point each function at emulators while the deployed function gets exactly what Lambda sets: region from
 * AWS_REGION, endpoints from AWS_ENDPOINT_URL[_SERVICE], credentials from the variables or the default chain.
 */
public final class AwsClients {

    /** An AWS API call that has not answered in 5 s is failing; the caller's own retry or 503 takes over, within its deadline. */
    public static final Duration API_CALL_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final Env env;
    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final Region region;

    public AwsClients(Env env) {
        this.env = env;
        this.http = UrlConnectionHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT).socketTimeout(API_CALL_TIMEOUT).build();
        this.credentials = credentials(env);
        this.region = Region.of(env.get(Env.AWS_REGION).or(() -> env.get(Env.AWS_DEFAULT_REGION)).orElse("us-east-1"));
    }

    public SqsClient sqs() {
        return configure(SqsClient.builder(), "SQS").build();
    }

    public DynamoDbClient dynamoDb() {
        return configure(DynamoDbClient.builder(), "DYNAMODB").build();
    }

    public SsmClient ssm() {
        return configure(SsmClient.builder(), "SSM").build();
    }

    public SchedulerClient scheduler() {
        return configure(SchedulerClient.builder(), "SCHEDULER").build();
    }

    public EventBridgeClient eventBridge() {
        return configure(EventBridgeClient.builder(), "EVENTBRIDGE").build();
    }

    public SecretsManagerClient secretsManager() {
        return configure(SecretsManagerClient.builder(), "SECRETS_MANAGER").build();
    }

    /** The credentials every client signs with; tools that sign their own calls (SigV4 for the HTTP API) use them too. */
    public AwsCredentialsProvider credentials() {
        return credentials;
    }

    public Region region() {
        return region;
    }

    /** The endpoint for a service: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL, else AWS's own. */
    public Optional<URI> endpoint(String service) {
        return env.get(Env.AWS_ENDPOINT_URL + "_" + service.toUpperCase(Locale.ROOT))
                .or(() -> env.get(Env.AWS_ENDPOINT_URL))
                .map(URI::create);
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder, String service) {
        builder.region(region)
                .credentialsProvider(credentials)
                .httpClient(http)
                // standard mode: 3 attempts for every service (DynamoDB's own default of 8 would hold a batch for seconds)
                .overrideConfiguration(ClientOverrideConfiguration.builder().apiCallTimeout(API_CALL_TIMEOUT)
                        .retryStrategy(RetryMode.STANDARD).build());
        endpoint(service).ifPresent(builder::endpointOverride);
        return builder;
    }

    private static AwsCredentialsProvider credentials(Env env) {
        Optional<String> key = env.get("AWS_ACCESS_KEY_ID");
        Optional<String> secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (key.isEmpty() || secret.isEmpty()) {
            // SnapStart and container credentials come through the default chain, not these variables
            return DefaultCredentialsProvider.builder().build();
        }
        return StaticCredentialsProvider.create(env.get("AWS_SESSION_TOKEN")
                .<software.amazon.awssdk.auth.credentials.AwsCredentials>map(t -> AwsSessionCredentials.create(key.get(), secret.get(), t))
                .orElseGet(() -> AwsBasicCredentials.create(key.get(), secret.get())));
    }
}
