package dev.errand.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Against the Standard Webhooks specification's published vector (its libraries' "sign function works" test). */
class WebhookSignatureTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final long TIMESTAMP = 1614265330;
    private static final String PAYLOAD = "{\"test\": 2432232314}";

    @Test
    void signsThePublishedVector() {
        byte[] key = WebhookSignature.key(SECRET).orElseThrow();

        assertThat(WebhookSignature.header(List.of(key), ID, TIMESTAMP, PAYLOAD))
                .isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void theKeyIsTheSameWithAndWithoutItsPrefixAndAnythingElseIsNoKey() {
        assertThat(WebhookSignature.key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).get().isEqualTo(WebhookSignature.key(SECRET).orElseThrow());
        assertThat(WebhookSignature.key("whsec_not base64!")).isEmpty();
        assertThat(WebhookSignature.key("whsec_")).isEmpty();
    }

    @Test
    void twoKeysMakeTwoSignaturesInKeyOrderSoAReceiverCanRotate() {
        byte[] old = WebhookSignature.key(SECRET).orElseThrow();
        byte[] fresh = WebhookSignature.key("whsec_c2Vjb25kLWtleS1mb3Itcm90YXRpb24=").orElseThrow();

        String header = WebhookSignature.header(List.of(fresh, old), ID, TIMESTAMP, PAYLOAD);

        assertThat(header.split(" ")).hasSize(2).endsWith("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assertThat(header.split(" ")[0]).startsWith("v1,").isNotEqualTo(header.split(" ")[1]);
    }
}
