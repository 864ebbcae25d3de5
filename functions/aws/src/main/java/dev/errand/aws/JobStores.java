package dev.errand.aws;

import dev.errand.core.record.JobStore;
import java.time.Clock;
import java.time.Duration;

/** Job records as the environment configures them: DynamoDB when ERRAND_JOBS_TABLE is set, none otherwise. */
public final class JobStores {

    private JobStores() {}

    public static JobStore fromEnvironment(Env env, AwsClients aws, Clock clock) {
        return env.get(Env.JOBS_TABLE)
                .<JobStore>map(table -> new DynamoDbJobStore(aws.dynamoDb(), table, clock,
                        Duration.ofDays(env.integer(Env.RECORD_TTL_DAYS, DynamoDbJobStore.DEFAULT_TTL_DAYS))))
                .orElse(JobStore.NONE);
    }
}
