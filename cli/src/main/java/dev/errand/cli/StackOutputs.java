package dev.errand.cli;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.Output;

/** A deployed stack's outputs (template.yaml's Outputs: ApiUrl, JobsQueueUrl, DeadLetterQueueUrl, JobsTableName, TargetStateTableName, TargetsParameterName). */
final class StackOutputs {

    static final String API_URL = "ApiUrl";
    static final String JOBS_QUEUE_URL = "JobsQueueUrl";
    static final String DEAD_LETTER_QUEUE_URL = "DeadLetterQueueUrl";
    static final String JOBS_TABLE_NAME = "JobsTableName";
    static final String TARGET_STATE_TABLE_NAME = "TargetStateTableName";
    static final String TARGETS_PARAMETER_NAME = "TargetsParameterName";

    private final Map<String, String> outputs;

    private StackOutputs(Map<String, String> outputs) {
        this.outputs = Map.copyOf(outputs);
    }

    static StackOutputs read(CloudFormationClient cloudFormation, String stack) {
        try {
            return new StackOutputs(cloudFormation.describeStacks(b -> b.stackName(stack)).stacks().getFirst().outputs().stream()
                    .collect(Collectors.toMap(Output::outputKey, Output::outputValue)));
        } catch (SdkException e) {
            throw new SetupProblem("could not read the outputs of stack " + stack + ": " + e.getMessage());
        }
    }

    Optional<String> get(String key) {
        return Optional.ofNullable(outputs.get(key));
    }
}
