package dev.errand.testkit;

import dev.errand.emulators.MotoServer;
import java.io.IOException;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * moto server for tests (DynamoDB, SSM, Secrets Manager), with clients. A machine without moto fails the
 * test that needs it, saying how to install it: a skipped test would pass for the wrong reason.
 */
public final class Moto implements AutoCloseable {

    private final MotoServer server;

    private Moto(MotoServer server) {
        this.server = server;
    }

    public static Moto start() {
        MotoServer.unavailable().ifPresent(why -> {
            throw new IllegalStateException("these tests need moto: " + why + "; " + MotoServer.INSTALL_HINT);
        });
        try {
            return new Moto(MotoServer.start());
        } catch (IOException e) {
            throw new IllegalStateException("moto did not start: " + e.getMessage(), e);
        }
    }

    /** The environment a function needs to reach this moto for DynamoDB, SSM and Secrets Manager. */
    public Map<String, String> environment() {
        String url = server.endpoint().toString();
        return Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test",
                "AWS_ENDPOINT_URL_DYNAMODB", url, "AWS_ENDPOINT_URL_SSM", url, "AWS_ENDPOINT_URL_SECRETS_MANAGER", url);
    }

    public SsmClient ssm() {
        return SsmClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
    }

    public SecretsManagerClient secretsManager() {
        return SecretsManagerClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
    }

    public DynamoDbClient dynamoDb() {
        return DynamoDbClient.builder().endpointOverride(server.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create()).build();
    }

    public void reset() {
        server.reset();
    }

    @Override
    public void close() {
        server.close();
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    }
}
