package dev.errand.aws;

import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The attribute values and the failure text both DynamoDB stores (job records, target states) write. */
final class DynamoValues {

    private DynamoValues() {}

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    /** A failed call as a reason: the SDK's message, else the exception's name. */
    static String describe(SdkException e) {
        return "DynamoDB: " + Optional.ofNullable(e.getMessage()).orElse(e.getClass().getSimpleName());
    }
}
