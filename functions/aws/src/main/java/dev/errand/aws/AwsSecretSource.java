package dev.errand.aws;

import dev.errand.core.auth.SecretSource;
import dev.errand.core.target.SecretRef;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * Reads target secrets from SSM Parameter Store (SecureString) or Secrets Manager; clients are made on first
 * use. An error that names a configuration mistake is a refusal; any other (throttling, an outage, the
 * network) may pass, so the read is only unavailable.
 */
public final class AwsSecretSource implements SecretSource {

    /**
     * Error codes after which reading again cannot help until someone acts: no such parameter or secret (or
     * version), access denied (a deploy without the grant), a KMS key that cannot decrypt it, a secret
     * scheduled for deletion (InvalidRequestException), a malformed name.
     */
    static final Set<String> PERMANENT_CODES = Set.of(
            "ParameterNotFound", "ParameterVersionNotFound", "InvalidKeyId",
            "ResourceNotFoundException", "DecryptionFailure", "InvalidRequestException", "InvalidParameterException",
            "AccessDeniedException", "AccessDenied", "ValidationException");

    private final Supplier<SsmClient> ssm;
    private final Supplier<SecretsManagerClient> secretsManager;

    public AwsSecretSource(Supplier<SsmClient> ssm, Supplier<SecretsManagerClient> secretsManager) {
        this.ssm = ssm;
        this.secretsManager = secretsManager;
    }

    @Override
    public SecretValue read(SecretRef ref) {
        try {
            String value = switch (ref.store()) {
                case SSM -> ssm.get().getParameter(b -> b.name(ref.name()).withDecryption(true)).parameter().value();
                case SECRETS_MANAGER -> secretsManager.get().getSecretValue(b -> b.secretId(ref.name())).secretString();
            };
            return value == null
                    ? new SecretValue.Refused(ref + " holds no string value (a binary secret cannot be used)")
                    : new SecretValue.Found(value);
        } catch (SdkException e) {
            // the SDK's message names the parameter or secret, never its value
            Optional<String> code = code(e);
            return code.filter(PERMANENT_CODES::contains).isPresent()
                    ? new SecretValue.Refused("could not read " + ref + " (" + code.get() + "): " + e.getMessage())
                    : new SecretValue.Unavailable("could not read " + ref + code.map(c -> " (" + c + ")").orElse("") + ": " + e.getMessage());
        }
    }

    private static Optional<String> code(SdkException e) {
        return e instanceof AwsServiceException service && service.awsErrorDetails() != null
                ? Optional.ofNullable(service.awsErrorDetails().errorCode())
                : Optional.empty();
    }
}
