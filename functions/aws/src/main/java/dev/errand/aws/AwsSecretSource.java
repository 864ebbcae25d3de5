package dev.errand.aws;

import dev.errand.core.auth.SecretSource;
import dev.errand.core.target.SecretRef;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/** Reads target secrets from SSM Parameter Store (SecureString) or Secrets Manager; clients are made on first use. */
public final class AwsSecretSource implements SecretSource {

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
            return new SecretValue.Found(value);
        } catch (SdkException e) {
            // the SDK's message names the parameter or secret, never its value
            return new SecretValue.Unavailable("could not read " + ref + ": " + e.getMessage());
        }
    }
}
