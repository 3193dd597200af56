package io.devarno.realtime.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/** User ids and the upgrade headers that authenticate them (trusted-header, a token file, or minted JWTs). */
final class Identities {

    private final BenchOptions options;
    private final List<String> userIds = new ArrayList<>();
    private final Map<String, String> fileTokens = new LinkedHashMap<>();
    private final PrivateKey key;

    Identities(BenchOptions options) throws IOException {
        this.options = options;
        if (options.tokenFile != null) {
            for (String line : Files.readAllLines(Path.of(options.tokenFile))) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2) {
                    fileTokens.put(parts[0], parts[1]);
                }
            }
            userIds.addAll(fileTokens.keySet());
            if (userIds.size() < options.users) {
                System.out.printf(
                        "token file holds %d users; using %d users instead of %d%n",
                        userIds.size(), userIds.size(), options.users);
                options.users = userIds.size();
            }
        }
        for (int i = userIds.size(); i < options.users; i++) {
            userIds.add(options.userPrefix + i);
        }
        key = options.jwtKey == null ? null : readKey(Path.of(options.jwtKey));
    }

    String user(int index) {
        return userIds.get(index);
    }

    /** Headers for the upgrade of {@code user}. */
    Map<String, String> upgradeHeaders(String user) {
        Map<String, String> h = new LinkedHashMap<>();
        String token = fileTokens.get(user);
        if (token == null && key != null) {
            token = mint(user, Set.of());
        }
        if (token != null) {
            h.put("Authorization", "Bearer " + token);
        } else if (options.userHeader) {
            h.put("X-User-ID", user);
        }
        for (String header : options.headers) {
            int colon = header.indexOf(':');
            h.put(
                    header.substring(0, colon).trim(),
                    header.substring(colon + 1).trim().replace("{user}", user));
        }
        return h;
    }

    /** Headers for REST publishes: --rest-header, else a minted publisher token when --jwt-key is given. */
    Map<String, String> restHeaders() {
        Map<String, String> h = new LinkedHashMap<>();
        if (key != null) {
            h.put("Authorization", "Bearer " + mint("load-generator", Set.of("realtime-publisher")));
        }
        for (String header : options.restHeaders) {
            int colon = header.indexOf(':');
            h.put(header.substring(0, colon).trim(), header.substring(colon + 1).trim());
        }
        return h;
    }

    private String mint(String subject, Set<String> groups) {
        JwtClaimsBuilder claims = Jwt.subject(subject).expiresAt(Instant.now().plusSeconds(options.jwtTtl));
        if (options.jwtIssuer != null) {
            claims.issuer(options.jwtIssuer);
        }
        if (options.jwtAudience != null) {
            claims.audience(options.jwtAudience);
        }
        if (!groups.isEmpty()) {
            claims.groups(groups);
        }
        return claims.sign(key);
    }

    private static PrivateKey readKey(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String text = new String(bytes, StandardCharsets.US_ASCII);
        if (text.contains("-----BEGIN")) {
            if (text.contains("BEGIN RSA PRIVATE KEY")) {
                throw new IllegalArgumentException("--jwt-key must be PKCS#8 (BEGIN PRIVATE KEY); convert with "
                        + "'openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem'");
            }
            String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            bytes = Base64.getDecoder().decode(base64);
        }
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(bytes));
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read RSA PKCS#8 key " + file + ": " + e.getMessage(), e);
        }
    }
}
