package io.devarno.realtime.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Set;

import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

import io.smallrye.jwt.build.Jwt;

/**
 * Real RS256 tokens for tests: a key pair generated once per build into {@code target/test-keys} (so every
 * classloader and every launched instance sees the same keys), and a second, unrelated key for forgeries.
 */
public final class TestTokens {

    public static final String ISSUER = "https://issuer.test";
    public static final Path DIR = Path.of("target", "test-keys").toAbsolutePath();
    public static final Path PUBLIC_KEY = DIR.resolve("public.pem");
    private static final Path PRIVATE_KEY = DIR.resolve("private.der");

    private TestTokens() {}

    /** The public key location for mp.jwt.verify.publickey.location. */
    public static synchronized String publicKeyLocation() {
        ensureKeys();
        return PUBLIC_KEY.toString();
    }

    public static String token(String subject, Set<String> groups, Instant expiresAt) {
        return Jwt.issuer(ISSUER)
                .subject(subject)
                .groups(groups)
                .expiresAt(expiresAt)
                .sign(privateKey());
    }

    /** Issued at {@code issuedAt}, as an identity provider would, so that a past {@code exp} is its only flaw. */
    public static String issuedAt(String subject, Instant issuedAt, Instant expiresAt) {
        return Jwt.issuer(ISSUER)
                .subject(subject)
                .issuedAt(issuedAt)
                .expiresAt(expiresAt)
                .sign(privateKey());
    }

    public static String user(String subject) {
        return token(subject, Set.of(), Instant.now().plusSeconds(3600));
    }

    public static String publisher() {
        return token("backend", Set.of("realtime-publisher"), Instant.now().plusSeconds(3600));
    }

    public static String withIssuer(String subject, String issuer) {
        return Jwt.issuer(issuer)
                .subject(subject)
                .expiresAt(Instant.now().plusSeconds(3600))
                .sign(privateKey());
    }

    /** Correctly signed, but without the {@code iat} claim (smallrye-jwt requires it by default). */
    public static String withoutIssuedAt(String subject) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setSubject(subject);
        claims.setExpirationTime(
                NumericDate.fromSeconds(Instant.now().plusSeconds(3600).getEpochSecond()));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(privateKey());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signed by a key the service does not trust. */
    public static String forged(String subject) {
        return Jwt.issuer(ISSUER)
                .subject(subject)
                .expiresAt(Instant.now().plusSeconds(3600))
                .sign(generate().getPrivate());
    }

    private static PrivateKey privateKey() {
        ensureKeys();
        try {
            return KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(PRIVATE_KEY)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void ensureKeys() {
        if (Files.exists(PUBLIC_KEY) && Files.exists(PRIVATE_KEY)) {
            return;
        }
        try {
            Files.createDirectories(DIR);
            KeyPair pair = generate();
            String pem = "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes())
                            .encodeToString(pair.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
            Path tmpPublic = Files.createTempFile(DIR, "public", ".tmp");
            Path tmpPrivate = Files.createTempFile(DIR, "private", ".tmp");
            Files.writeString(tmpPublic, pem);
            Files.write(tmpPrivate, pair.getPrivate().getEncoded());
            Files.move(tmpPrivate, PRIVATE_KEY, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmpPublic, PUBLIC_KEY, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
