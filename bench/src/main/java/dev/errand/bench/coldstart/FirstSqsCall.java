package dev.errand.bench.coldstart;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SDK's share of a cold start: in a fresh JVM, build an SQS client on the named HTTP client
 * (url-connection or crt) and make one call. Prints {@code RESULT {"mainAt":..,"builtAt":..,"calledAt":..}}.
 * Arguments: http client name, SQS endpoint, queue URL.
 */
public final class FirstSqsCall {

    private FirstSqsCall() {}

    public static void main(String[] args) {
        long mainAt = System.currentTimeMillis();
        SdkHttpClient http = switch (args[0]) {
            case "crt" -> AwsCrtHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).build();
            default -> UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(2)).build();
        };
        SqsClient sqs = SqsClient.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                .endpointOverride(URI.create(args[1]))
                .httpClient(http)
                .build();
        long builtAt = System.currentTimeMillis();
        sqs.getQueueAttributes(b -> b.queueUrl(args[2]));
        long calledAt = System.currentTimeMillis();
        System.out.println("RESULT {\"mainAt\":" + mainAt + ",\"builtAt\":" + builtAt + ",\"calledAt\":" + calledAt + "}");
        System.exit(0);
    }
}
