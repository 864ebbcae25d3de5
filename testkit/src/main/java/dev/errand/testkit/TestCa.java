package dev.errand.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A private certificate authority made when a test JVM first needs one, with a server certificate for
 * 127.0.0.1 and localhost (EC P-256, as most providers now serve). Clients trust it the way any Java program
 * trusts a private CA: through the standard {@code javax.net.ssl.trustStore} properties, pointing at a copy
 * of the JDK's own cacerts with this CA added (replacing cacerts would drop the public CAs).
 */
public final class TestCa {

    public static final String STORE_PASSWORD = "changeit";
    /** Longer than any test run; short enough that a leaked file is harmless. */
    private static final Duration VALIDITY = Duration.ofDays(2);
    private static final String SIGNATURE = "SHA256withECDSA";
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private static volatile TestCa instance;

    private final X509Certificate ca;
    private final KeyStore serverKeys;
    private final Path trustStore;
    private final Path caPem;

    private TestCa() throws GeneralSecurityException, IOException, OperatorCreationException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair caPair = generator.generateKeyPair();
        KeyPair serverPair = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name caName = new X500Name("CN=Errand test CA " + now.getEpochSecond());
        X509v3CertificateBuilder caBuilder = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(VALIDITY)), caName, caPair.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        ca = sign(caBuilder, caPair);
        X509v3CertificateBuilder serverBuilder = new JcaX509v3CertificateBuilder(ca, serial(), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(VALIDITY)), new X500Name("CN=127.0.0.1"), serverPair.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost")}));
        X509Certificate server = sign(serverBuilder, caPair);
        serverKeys = KeyStore.getInstance("PKCS12");
        serverKeys.load(null, null);
        serverKeys.setKeyEntry("server", serverPair.getPrivate(), STORE_PASSWORD.toCharArray(), new Certificate[] {server, ca});

        Path dir = Files.createTempDirectory("errand-test-ca-");
        dir.toFile().deleteOnExit();
        trustStore = dir.resolve("truststore.p12");
        KeyStore trusted = KeyStore.getInstance(Path.of(System.getProperty("java.home"), "lib", "security", "cacerts").toFile(),
                STORE_PASSWORD.toCharArray());
        trusted.setCertificateEntry("errand-test-ca", ca);
        KeyStore copy = KeyStore.getInstance("PKCS12");
        copy.load(null, null);
        for (String alias : java.util.Collections.list(trusted.aliases())) {
            copy.setCertificateEntry(alias, trusted.getCertificate(alias));
        }
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            copy.store(out, STORE_PASSWORD.toCharArray());
        }
        trustStore.toFile().deleteOnExit();
        caPem = dir.resolve("ca.pem");
        Files.writeString(caPem, "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(ca.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        caPem.toFile().deleteOnExit();
    }

    /** This JVM's test CA, made on first use. */
    public static TestCa get() {
        TestCa made = instance;
        if (made == null) {
            synchronized (TestCa.class) {
                if (instance == null) {
                    try {
                        instance = new TestCa();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (GeneralSecurityException | OperatorCreationException e) {
                        throw new IllegalStateException("the test CA could not be made", e);
                    }
                }
                made = instance;
            }
        }
        return made;
    }

    /**
     * Makes this JVM trust the test CA (and every public CA), through the standard properties. It must run
     * before anything in the JVM first uses TLS: the JDK reads the properties once, when it makes its default
     * TLS context. The testkit's providers call it when they start, which is before any client knows their URL.
     */
    public static TestCa trustedByThisJvm() {
        TestCa ca = get();
        synchronized (TestCa.class) {
            System.setProperty("javax.net.ssl.trustStore", ca.trustStore.toString());
            System.setProperty("javax.net.ssl.trustStorePassword", STORE_PASSWORD);
            System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        }
        return ca;
    }

    /** The JVM options that make another JVM trust this CA (for JAVA_TOOL_OPTIONS or a command line). */
    public List<String> jvmOptions() {
        return jvmOptions(trustStore);
    }

    /** The options for a trust store this class wrote, possibly in another JVM. */
    public static List<String> jvmOptions(Path trustStore) {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + STORE_PASSWORD,
                "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    /** The server's key and certificate chain, password {@link #STORE_PASSWORD}. */
    public KeyStore serverKeys() {
        return serverKeys;
    }

    public X509Certificate certificate() {
        return ca;
    }

    /** The CA certificate in PEM, for clients that take a CA file (curl --cacert). */
    public Path caPem() {
        return caPem;
    }

    public Path trustStore() {
        return trustStore;
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuer.getPrivate())));
    }
}
