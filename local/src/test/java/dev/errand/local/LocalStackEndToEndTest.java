package dev.errand.local;

import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The end-to-end scenarios against LocalStack in a container (SQS, DynamoDB, SSM in one place). Needs a
 * Docker engine: where there is none the tests are reported as not run, with the reason, never as passed.
 * LocalStack images after 4.14.0 need LOCALSTACK_AUTH_TOKEN; without it the image is pinned to 4.14.0.
 */
@EnabledIf(value = "dockerRuns",
        disabledReason = "not run: no Docker engine here, so no LocalStack container (run scripts/test.sh where Docker runs)")
class LocalStackEndToEndTest extends EndToEndScenarios {

    /** The last LocalStack image that runs without an auth token. */
    static final String FREE_IMAGE = "localstack/localstack:4.14.0";
    static final String TOKEN = "LOCALSTACK_AUTH_TOKEN";

    private static Optional<LocalStackContainer> localstack = Optional.empty();

    static boolean dockerRuns() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    @BeforeAll
    static void localstack() {
        Optional<String> token = Optional.ofNullable(System.getenv(TOKEN)).filter(t -> !t.isBlank());
        String image = Optional.ofNullable(System.getenv("LOCALSTACK_IMAGE"))
                .orElse(token.isPresent() ? "localstack/localstack:latest" : FREE_IMAGE);
        LocalStackContainer container = new LocalStackContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("localstack/localstack"))
                .withServices("sqs", "dynamodb", "ssm", "secretsmanager")
                // queue URLs by path: the SDK calls the endpoint it is given, whatever host a URL names
                .withEnv("SQS_ENDPOINT_STRATEGY", "path");
        token.ifPresent(t -> container.withEnv(TOKEN, t));
        container.start();
        localstack = Optional.of(container);
        start(options -> options.withAwsEndpoint(container.getEndpoint()));
    }

    @AfterAll
    static void stopLocalStack() {
        localstack.ifPresent(LocalStackContainer::stop);
    }
}
