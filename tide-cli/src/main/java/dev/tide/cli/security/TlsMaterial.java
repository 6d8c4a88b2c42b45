package dev.tide.cli.security;

import dev.tide.store.file.PrivateFiles;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The API's TLS key and certificate: the operator's PEM files (kube-apiserver's {@code --tls-cert-file} and
 * {@code --tls-private-key-file}), or a self-signed pair Tide makes once with the JDK's {@code keytool}, keeps in
 * the data directory (0600) and pins in the kubeconfig it writes.
 *
 * @param context        serves the API
 * @param certificatePem the certificate chain as PEM, for a kubeconfig's {@code certificate-authority-data} (only
 *                       for the self-signed pair: an operator's certificate is trusted however the operator set up)
 */
public record TlsMaterial(SSLContext context, String certificatePem) {

    // The keystore is guarded by its file mode (0600); keytool insists on a password of six characters or more.
    private static final char[] STORE_PASSWORD = "tide-api-tls".toCharArray();

    /** Loads a PEM certificate chain and a PKCS#8 PEM key ({@code -----BEGIN PRIVATE KEY-----}). */
    public static TlsMaterial fromPem(Path certFile, Path keyFile) {
        try {
            List<Certificate> chain = new ArrayList<>(CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certFile))));
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("--tls-cert-file " + certFile + ": no certificate in it");
            }
            PrivateKey key = privateKey(Files.readString(keyFile), keyFile);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("tide", key, STORE_PASSWORD, chain.toArray(Certificate[]::new));
            return new TlsMaterial(context(ks), null);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the API's TLS files: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--tls-cert-file " + certFile + " / --tls-private-key-file " + keyFile + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(String pem, Path file) throws GeneralSecurityException {
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = pem.indexOf(begin);
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("--tls-private-key-file " + file + ": expected a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----); "
                    + "convert one with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end));
        GeneralSecurityException last = null;
        for (String alg : List.of("RSA", "EC", "Ed25519", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("the key is neither RSA, EC nor Ed25519", last);
    }

    /**
     * The self-signed pair in {@code dir} ({@code api-tls.p12}), made now when missing or when its names do not cover
     * {@code names} (a new bind address or {@code --api-host}).
     *
     * @param names DNS names and IP addresses the certificate must name
     */
    public static TlsMaterial selfSigned(Path dir, Set<String> names) {
        Path store = dir.resolve("api-tls.p12");
        try {
            if (!Files.exists(store) || !covers(load(store), names)) {
                generate(store, names);
            }
            KeyStore ks = load(store);
            X509Certificate cert = (X509Certificate) ks.getCertificate("tide");
            String pem = "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(cert.getEncoded()) + "\n-----END CERTIFICATE-----\n";
            return new TlsMaterial(context(ks), pem);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the API's self-signed TLS certificate in " + store + ": " + e.getMessage(), e);
        }
    }

    /** Names a certificate for an API bound to {@code bind} should carry: loopback, this host, and its addresses when bound to all. */
    public static Set<String> namesFor(String bind, Collection<String> apiHosts) {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        names.addAll(apiHosts);
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            // No host name: the loopback names and addresses still work.
        }
        InetAddress any = parse(bind);
        if (any != null && any.isAnyLocalAddress()) {
            try {
                for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                        if (!a.isLinkLocalAddress()) {
                            names.add(a.getHostAddress().replaceAll("%.*", ""));
                        }
                    }
                }
            } catch (IOException e) {
                // Without the interface list the certificate names loopback and the host name only.
            }
        } else {
            names.add(bind);
        }
        return names;
    }

    private static InetAddress parse(String bind) {
        try {
            return InetAddress.getByName(bind);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean covers(KeyStore ks, Set<String> names) throws GeneralSecurityException {
        X509Certificate cert = (X509Certificate) ks.getCertificate("tide");
        if (cert == null || cert.getNotAfter().getTime() - cert.getNotBefore().getTime() <= 0) {
            return false;
        }
        Set<String> have = new LinkedHashSet<>();
        Collection<List<?>> sans = cert.getSubjectAlternativeNames();
        if (sans != null) {
            sans.forEach(s -> have.add(String.valueOf(s.get(1)).toLowerCase(java.util.Locale.ROOT)));
        }
        for (String n : names) {
            InetAddress ip = isIp(n) ? parse(n) : null;
            boolean found = ip != null ? have.stream().anyMatch(h -> isIp(h) && ip.equals(parse(h)))
                    : have.contains(n.toLowerCase(java.util.Locale.ROOT));
            if (!found) {
                return false;
            }
        }
        try {
            cert.checkValidity();
        } catch (GeneralSecurityException e) {
            return false;
        }
        return true;
    }

    private static boolean isIp(String s) {
        return s.contains(":") || s.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static void generate(Path store, Set<String> names) throws IOException {
        Files.deleteIfExists(store);
        List<String> san = new ArrayList<>();
        for (String n : names) {
            san.add((isIp(n) ? "ip:" : "dns:") + n);
        }
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "tide", "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-dname", "CN=tide-api", "-ext", "SAN=" + String.join(",", san),
                "-ext", "EKU=serverAuth", "-validity", "825", "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", new String(STORE_PASSWORD), "-keypass", new String(STORE_PASSWORD))
                .redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making the certificate", e);
        }
        PrivateFiles.restrict(store);
    }

    private static KeyStore load(Path store) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, STORE_PASSWORD);
        }
        return ks;
    }

    private static SSLContext context(KeyStore ks) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, STORE_PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /** A client context that trusts exactly {@code pem}'s certificates (a kubeconfig's pinned authority). */
    public static SSLContext trusting(String pem) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("the kubeconfig's certificate-authority-data is not a PEM certificate: " + e.getMessage(), e);
        }
    }
}
