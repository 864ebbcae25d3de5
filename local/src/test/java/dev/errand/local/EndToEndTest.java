package dev.errand.local;

import org.junit.jupiter.api.BeforeAll;

/** The end-to-end scenarios against the embedded emulators: ElasticMQ for SQS, moto for DynamoDB. */
class EndToEndTest extends EndToEndScenarios {

    @BeforeAll
    static void embedded() {
        start(options -> options);
    }
}
