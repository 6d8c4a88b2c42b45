package dev.tide.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each attack that worked against an unguarded Tide, replayed as an attacker would with curl and kubectl against a
 * real {@code tide server} with its shipped defaults, asserting the refusal and that nothing ran; and the ways in
 * that must keep working (kubectl with the kubeconfig Tide prints, over TLS off loopback).
 */
class SecurityIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVICES = "/apis/serving.knative.dev/v1/namespaces/default/services";

    @RegisterExtension
    static final TideServerExtension TIDE = TideServerExtension.asShipped();

    @TempDir
    Path tmp;

    private static Exec.Result curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "-o", "/dev/stderr", "-w", "%{http_code}"));
        cmd.addAll(List.of(args));
        return Exec.run(cmd, null, 40);
    }

    /** A world-writable directory, so a command that ran as any user leaves its mark there. */
    private Path markers() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("markers"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    /** A Service whose command, if it ever runs, creates {@code marker}. */
    private static String markingService(String name, Path marker) {
        return """
                {"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"%s"},
                 "spec":{"template":{"spec":{"containers":[{"image":"x","command":["sh","-c","touch %s; exec sleep 600"]}]}}}}"""
                .formatted(name, marker);
    }

    @Test
    void aWebPageCannotCreateAServiceOnLoopback() throws IOException {
        Path marks = markers();
        String api = TIDE.url();
        String port = api.substring(api.lastIndexOf(':') + 1);
        // A cross-site POST that needs no CORS preflight: text/plain, or a form.
        Exec.Result plain = curl("-X", "POST", "-H", "Content-Type: text/plain", "--data", markingService("plain", marks.resolve("plain")),
                api + SERVICES);
        assertThat(plain.out()).as(plain.toString()).isEqualTo("415");
        assertThat(plain.err()).contains("UnsupportedMediaType").contains("got text/plain");
        Exec.Result form = curl("-X", "POST", "--data", markingService("form", marks.resolve("form")), api + SERVICES);
        assertThat(form.out()).as(form.toString()).isEqualTo("415");
        // The browser's Origin gives a page of another site away, whatever the content type.
        Exec.Result origin = curl("-X", "POST", "-H", "Content-Type: application/json", "-H", "Origin: http://evil.example",
                "--data", markingService("origin", marks.resolve("origin")), api + SERVICES);
        assertThat(origin.out()).as(origin.toString()).isEqualTo("403");
        assertThat(origin.err()).contains("cross-origin request from http://evil.example refused");
        // DNS rebinding: the attacker's name now points at 127.0.0.1, and the browser sends that name as Host.
        Exec.Result rebound = curl("-X", "POST", "-H", "Content-Type: application/json", "-H", "Host: rebind.evil.example:" + port,
                "--data", markingService("rebound", marks.resolve("rebound")), api + SERVICES);
        assertThat(rebound.out()).as(rebound.toString()).isEqualTo("403");
        Exec.Result secrets = curl("-H", "Host: rebind.evil.example:" + port, api + "/api/v1/namespaces/default/secrets");
        assertThat(secrets.out()).isEqualTo("403");
        assertThat(secrets.err()).contains("is not a name this API answers to");

        assertThat(TIDE.kubectl().ok("get", "ksvc", "-o", "name")).as("nothing was created").isBlank();
        // The control: the same request as kubectl sends it is accepted and its command runs, so the marks above would show.
        Exec.Result control = curl("-X", "POST", "-H", "Content-Type: application/json", "--data",
                markingService("control", marks.resolve("control")), api + SERVICES);
        assertThat(control.out()).as(control.toString()).isEqualTo("201");
        await().atMost(WAIT).until(() -> Files.exists(marks.resolve("control")));
        assertThat(marks.resolve("plain")).doesNotExist();
        assertThat(marks.resolve("form")).doesNotExist();
        assertThat(marks.resolve("origin")).doesNotExist();
        assertThat(marks.resolve("rebound")).doesNotExist();
        TIDE.kubectl().ok("delete", "ksvc", "control");
    }

    @Test
    void theDashboardsApiAnswersOnlyItsOwnPage() {
        String api = TIDE.url();
        Exec.Result bare = curl(api + "/dashboard/api/overview");
        assertThat(bare.out()).as(bare.toString()).isEqualTo("403");
        Exec.Result load = curl("-X", "POST", "-H", "Content-Type: application/json", "--data",
                "{\"service\":\"x\",\"concurrency\":1000,\"total\":1000000}", api + "/dashboard/api/load");
        assertThat(load.out()).as("the stress test button, driven from elsewhere").isEqualTo("403");
        Exec.Result page = curl(api + "/dashboard/");
        assertThat(page.out()).isEqualTo("200");
        String token = page.err().replaceAll("(?s).*name=\"tide-dashboard-token\" content=\"([^\"]+)\".*", "$1");
        assertThat(token).hasSizeGreaterThan(20).doesNotContain("{{");
        Exec.Result withToken = curl("-H", "X-Tide-Dashboard: " + token, api + "/dashboard/api/overview");
        assertThat(withToken.out()).as(withToken.toString()).isEqualTo("200");
    }

    @Test
    void replicasSeeOnlyTheirSpecAndRunUnprivileged() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("env-data"));
        try (TideProcess tide = TideProcess.start(data, List.of(), Map.of("TIDE_CANARY", "operator-credential"))) {
            Kubectl kubectl = new Kubectl(tide.url(), Files.createDirectories(tmp.resolve("kube-cache")));
            kubectl.apply(envService("envy", ""));
            kubectl.apply(envService("chosen", "securityContext: {runAsUser: 4242, runAsGroup: 4343, allowPrivilegeEscalation: false}"));
            kubectl.apply(envService("rooted", "securityContext: {runAsUser: 0, runAsNonRoot: true}"));
            JsonNode envy = replicaView(tide, "envy");
            JsonNode env = envy.path("env");
            assertThat(env.has("TIDE_CANARY")).as("the server's environment does not leak: %s", env).isFalse();
            assertThat(env.path("FROM_SPEC").asText()).isEqualTo("yes");
            assertThat(env.path("K_SERVICE").asText()).isEqualTo("envy");
            List<String> names = new ArrayList<>();
            env.fieldNames().forEachRemaining(names::add);
            assertThat(names).allMatch(n -> List.of("PATH", "HOME", "LANG", "TZ", "FROM_SPEC", "PORT", "K_SERVICE", "K_CONFIGURATION",
                    "K_REVISION").contains(n), "only the base, the contract and the spec: " + names);
            boolean root = "0".equals(Exec.run(List.of("id", "-u"), null, 10).out().strip());
            String nobody = Exec.run(List.of("id", "-u", "nobody"), null, 10).out().strip();
            if (root) {
                assertThat(envy.path("uid").asText()).as("a root Tide runs commands as nobody").isEqualTo(nobody);
                assertThat(kubectl.ok("get", "rev", "envy-00001", "-o",
                        "jsonpath={.status.conditions[?(@.type==\"SecurityContext\")].reason}")).isEqualTo("ReplicaUser");
                JsonNode chosen = replicaView(tide, "chosen");
                assertThat(chosen.path("uid").asInt()).isEqualTo(4242);
                assertThat(chosen.path("gid").asInt()).isEqualTo(4343);
                assertThat(chosen.path("groups").toString()).as("no supplementary group of Tide's").isIn("[]", "[4343]");
                assertThat(chosen.path("noNewPrivs").asText()).as("allowPrivilegeEscalation: false").isEqualTo("1");
                assertThat(envy.path("noNewPrivs").asText()).isEqualTo("0");
                await().atMost(WAIT).until(() -> "CreateContainerConfigError".equals(kubectl.ok("get", "rev", "rooted-00001", "-o",
                        "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}")));
                assertThat(kubectl.ok("get", "rev", "rooted-00001", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].message}"))
                        .startsWith("container has runAsNonRoot and would run as root");
            } else {
                assertThat(envy.path("uid").asText()).isEqualTo(Exec.run(List.of("id", "-u"), null, 10).out().strip());
                assertThat(kubectl.ok("get", "rev", "chosen-00001", "-o",
                        "jsonpath={.status.conditions[?(@.type==\"SecurityContext\")].reason}")).isEqualTo("RunAsUserNotHonoured");
            }
        }
    }

    /** A Python server that answers with its uid, gid and environment. */
    private static String envService(String name, String securityContext) {
        return """
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata:
                  name: %s
                spec:
                  template:
                    spec:
                      containers:
                        - image: python
                          %s
                          env:
                            - {name: FROM_SPEC, value: "yes"}
                          command:
                            - python3
                            - -c
                            - |
                              import os, json, http.server as h
                              class H(h.BaseHTTPRequestHandler):
                                  def do_GET(self):
                                      nnp = [l.split()[1] for l in open("/proc/self/status") if l.startswith("NoNewPrivs:")][0]
                                      b = json.dumps({"uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(),
                                                      "noNewPrivs": nnp, "env": dict(os.environ)}).encode()
                                      self.send_response(200); self.send_header("Content-Length", str(len(b))); self.end_headers()
                                      self.wfile.write(b)
                              h.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
                """.formatted(name, securityContext);
    }

    private static JsonNode replicaView(TideProcess tide, String service) {
        String[] body = new String[1];
        await().atMost(WAIT).until(() -> {
            Exec.Result r = Exec.run(List.of("curl", "-sf", "--max-time", "10", "-H", "Host: " + service + ".default.example.com",
                    tide.ingress() + "/"), null, 20);
            body[0] = r.out();
            return r.rc() == 0;
        });
        try {
            return JSON.readTree(body[0]);
        } catch (IOException e) {
            throw new AssertionError(body[0], e);
        }
    }

    @Test
    void aStorageUriCannotReachTideItselfNorFilesOutsideTheModelRoots() throws IOException {
        String api = TIDE.url();
        TIDE.kubectl().ok("create", "secret", "generic", "creds", "--from-literal=password=hunter2");
        Path roots = Files.createDirectories(tmp.resolve("roots"));
        Path model = Files.createDirectories(roots.resolve("sneaky"));
        Files.writeString(model.resolve("model.onnx"), "not a model");
        Files.createSymbolicLink(model.resolve("config.json"), Path.of("/etc/passwd"));
        Map<String, String> cases = Map.of(
                "ssrf", api + "/api/v1/namespaces/default/secrets/creds",
                "etc", "file:///etc",
                "metadata", "http://169.254.169.254/latest/meta-data/iam",
                "sneaky", "file://" + model,
                "loopback", "http://127.0.0.1:9/model.onnx");
        cases.forEach((name, uri) -> TIDE.kubectl().apply("""
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata:
                  name: %s
                spec:
                  predictor:
                    model:
                      modelFormat: {name: onnx}
                      storageUri: %s
                """.formatted(name, uri)));
        Map<String, String> want = Map.of(
                "ssrf", "is Tide's own API or ingress",
                "etc", "/etc is outside the model roots",
                "metadata", "link-local address",
                "sneaky", "is outside the model roots",
                "loopback", "loopback address");
        for (var e : want.entrySet()) {
            String rev = e.getKey() + "-predictor-00001";
            await().atMost(WAIT).until(() -> "StorageRefused".equals(TIDE.kubectl().ok("get", "rev", rev, "-o",
                    "jsonpath={.status.conditions[?(@.type==\"Ready\")].reason}")));
            assertThat(TIDE.kubectl().ok("get", "rev", rev, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].message}"))
                    .contains(e.getValue());
        }
        assertThat(TIDE.kubectl().ok("get", "isvc", "ssrf", "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"))
                .isEqualTo("False");
        Path entries = TIDE.dataDir().resolve("models").resolve("entries");
        try (var listed = Files.exists(entries) ? Files.list(entries) : java.util.stream.Stream.<Path>empty()) {
            assertThat(listed.toList()).as("nothing was fetched into the model cache").isEmpty();
        }
        cases.keySet().forEach(n -> TIDE.kubectl().ok("delete", "isvc", n));
    }

    @Test
    void offLoopbackEveryRequestNeedsATokenOverTls() throws Exception {
        Path marks = markers();
        Path data = tmp.resolve("exposed-data");
        try (TideProcess tide = TideProcess.start(data, List.of("--bind", "0.0.0.0"), Map.of())) {
            String api = tide.url();
            assertThat(api).startsWith("https://127.0.0.1:");
            await().atMost(WAIT).until(() -> tide.output().stream().anyMatch(l -> l.contains("KUBECONFIG=" + data.resolve("kubeconfig"))));
            Exec.Result anonymous = curl("-k", "-X", "POST", "-H", "Content-Type: application/json", "--data",
                    markingService("anon", marks.resolve("anon")), api + SERVICES);
            assertThat(anonymous.out()).as(anonymous.toString()).isEqualTo("401");
            assertThat(curl("-k", api + "/api/v1/namespaces/default/secrets").out()).isEqualTo("401");
            assertThat(curl("-k", api + "/dashboard/api/overview").out()).isEqualTo("401");
            assertThat(curl("-k", api + "/dashboard/").out()).as("a browser is sent to the login").isEqualTo("303");
            assertThat(curl("-k", api + "/readyz").out()).as("health stays open, as kube-apiserver's").isEqualTo("200");
            Exec.Result unpinned = curl(api + "/readyz");
            assertThat(unpinned.rc()).as("a self-signed certificate is not trusted without the kubeconfig's pin: %s", unpinned).isNotZero();

            JsonNode kubeconfig = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(data.resolve("kubeconfig").toFile());
            Path ca = tmp.resolve("ca.pem");
            Files.write(ca, Base64.getDecoder().decode(kubeconfig.at("/clusters/0/cluster/certificate-authority-data").asText()));
            String token = kubeconfig.at("/users/0/user/token").asText();
            assertThat(token).isEqualTo(Files.readString(data.resolve("admin-token")).strip());
            Exec.Result pinned = curl("--cacert", ca.toString(), "-H", "Authorization: Bearer " + token,
                    api + "/api/v1/namespaces/default/secrets");
            assertThat(pinned.out()).as(pinned.toString()).isEqualTo("200");

            // A person's browser: the token into the login form once, a session cookie for the dashboard after.
            Path jar = tmp.resolve("cookies.txt");
            Exec.Result wrongLogin = curl("--cacert", ca.toString(), "--data-urlencode", "token=nope", api + "/dashboard/login");
            assertThat(wrongLogin.out()).isEqualTo("401");
            Exec.Result login = curl("--cacert", ca.toString(), "-c", jar.toString(), "--data-urlencode", "token=" + token,
                    api + "/dashboard/login");
            assertThat(login.out()).as(login.toString()).isEqualTo("303");
            assertThat(Files.readString(jar)).contains("#HttpOnly_").contains("tide-session").contains("/dashboard\tTRUE");
            Exec.Result page = curl("--cacert", ca.toString(), "-b", jar.toString(), api + "/dashboard/");
            assertThat(page.out()).isEqualTo("200");
            String pageToken = page.err().replaceAll("(?s).*name=\"tide-dashboard-token\" content=\"([^\"]+)\".*", "$1");
            assertThat(curl("--cacert", ca.toString(), "-b", jar.toString(), "-H", "X-Tide-Dashboard: " + pageToken,
                    api + "/dashboard/api/overview").out()).isEqualTo("200");
            assertThat(curl("--cacert", ca.toString(), "-b", jar.toString(), api + "/api/v1/namespaces/default/secrets").out())
                    .as("the session opens the dashboard, not the API").isEqualTo("401");
            assertThat(curl("--cacert", ca.toString(), "-H", "Origin: https://evil.example", "--data-urlencode", "token=" + token,
                    api + "/dashboard/login").out()).as("a login posted from another site").isEqualTo("403");

            Map<String, String> env = Map.of("KUBECONFIG", data.resolve("kubeconfig").toString());
            List<String> kubectl = List.of(Kubectl.binary(), "--cache-dir", Files.createDirectories(tmp.resolve("kc")).toString());
            java.util.function.Function<String[], Exec.Result> k = args -> {
                List<String> cmd = new ArrayList<>(kubectl);
                cmd.addAll(List.of(args));
                return Exec.run(cmd, null, 60, env);
            };
            Exec.Result apply = Exec.run(concat(kubectl, "apply", "-f", "-"), """
                    apiVersion: serving.knative.dev/v1
                    kind: Service
                    metadata: {name: hello}
                    spec:
                      template:
                        spec:
                          containers: [{image: x, command: ["sleep", "600"]}]
                    """, 60, env);
            assertThat(apply.rc()).as(apply.toString()).isZero();
            assertThat(apply.out()).contains("service.serving.knative.dev/hello created");
            assertThat(k.apply(new String[] {"get", "ksvc", "hello", "-o", "name"}).out().strip()).isEqualTo("service.serving.knative.dev/hello");
            Exec.Result secret = k.apply(new String[] {"create", "secret", "generic", "db", "--from-literal=password=s3cret"});
            assertThat(secret.rc()).as(secret.toString()).isZero();
            Exec.Result cm = k.apply(new String[] {"create", "configmap", "settings", "--from-literal=mode=fast"});
            assertThat(cm.rc()).as(cm.toString()).isZero();
            assertThat(new String(Base64.getDecoder().decode(k.apply(new String[] {"get", "secret", "db", "-o", "jsonpath={.data.password}"})
                    .out().strip()))).isEqualTo("s3cret");
            assertThat(k.apply(new String[] {"get", "configmap", "settings", "-o", "jsonpath={.data.mode}"}).out()).isEqualTo("fast");
            Exec.Result watch = k.apply(new String[] {"get", "ksvc", "-w", "--request-timeout=3s"});
            assertThat(watch.out()).as(watch.toString()).contains("hello");
            Exec.Result delete = k.apply(new String[] {"delete", "ksvc", "hello"});
            assertThat(delete.rc()).as(delete.toString()).isZero();
            Exec.Result cli = Exec.run(Exec.tideCommand("get", "configmaps", "--kubeconfig", data.resolve("kubeconfig").toString()), null, 60);
            assertThat(cli.out()).as("the tide CLI reads the same kubeconfig: %s", cli).contains("settings");

            assertThat(mode(data)).isEqualTo("rwx------");
            for (String f : List.of("objects.journal", "kubeconfig", "admin-token", "api-tls.p12")) {
                assertThat(mode(data.resolve(f))).as(f).isEqualTo("rw-------");
            }
        }
        assertThat(marks.resolve("anon")).doesNotExist();
    }

    @Test
    void anonymousAccessOffLoopbackIsRefusedAtStart() {
        Exec.Result r = Exec.run(Exec.tideCommand("server", "--bind", "0.0.0.0", "--anonymous-auth", "--api-port", "0", "--http-port", "0",
                "--data-dir", tmp.resolve("refused").toString()), null, 60);
        assertThat(r.rc()).as(r.toString()).isNotZero();
        assertThat(r.err()).contains("--anonymous-auth is only allowed on a loopback bind");
    }

    @Test
    void tokensFromATokenFileHaveTheirRoles() throws Exception {
        Path tokens = tmp.resolve("tokens.csv");
        Files.writeString(tokens, """
                view-token,victor,1001,tide:view
                team-token,tina,1002,"tide:admin:team"
                """);
        try (TideProcess tide = TideProcess.start(tmp.resolve("roles-data"), List.of("--token-auth-file", tokens.toString(),
                "--no-anonymous-auth"), Map.of())) {
            assertThat(tide.url()).as("tokens travel over TLS: kubectl sends none over plain HTTP").startsWith("https://");
            Path cache = Files.createDirectories(tmp.resolve("roles-cache"));
            Path ca = tmp.resolve("roles-ca.pem");
            JsonNode kubeconfig = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(tmp.resolve("roles-data/kubeconfig").toFile());
            Files.write(ca, Base64.getDecoder().decode(kubeconfig.at("/clusters/0/cluster/certificate-authority-data").asText()));
            java.util.function.BiFunction<String, String[], Exec.Result> as = (token, args) -> Exec.run(concat(List.of(Kubectl.binary(),
                    "--server", tide.url(), "--certificate-authority", ca.toString(), "--cache-dir", cache.toString(), "--token", token),
                    args), SERVICE_YAML, 60);
            Exec.Result viewGet = as.apply("view-token", new String[] {"get", "ksvc"});
            assertThat(viewGet.rc()).as(viewGet.toString()).isZero();
            Exec.Result viewApply = as.apply("view-token", new String[] {"apply", "-f", "-"});
            assertThat(viewApply.err()).as(viewApply.toString()).contains("Forbidden").contains("User \"victor\" cannot");
            Exec.Result viewSecrets = as.apply("view-token", new String[] {"get", "secrets"});
            assertThat(viewSecrets.err()).contains("Forbidden");
            Exec.Result teamApply = as.apply("team-token", new String[] {"apply", "-n", "team", "-f", "-"});
            assertThat(teamApply.rc()).as(teamApply.toString()).isZero();
            Exec.Result teamElsewhere = as.apply("team-token", new String[] {"apply", "-n", "default", "-f", "-"});
            assertThat(teamElsewhere.err()).as(teamElsewhere.toString()).contains("Forbidden");
            Exec.Result wrong = as.apply("nope", new String[] {"get", "ksvc"});
            assertThat(wrong.err()).contains("Unauthorized");
            Exec.Result anonymous = Exec.run(List.of("curl", "-s", "--cacert", ca.toString(), "-o", "/dev/null", "-w", "%{http_code}",
                    tide.url() + SERVICES), null, 30);
            assertThat(anonymous.out()).as("--no-anonymous-auth closes loopback too").isEqualTo("401");
        }
    }

    private static final String SERVICE_YAML = """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata: {name: roles}
            spec:
              template:
                spec:
                  containers: [{image: x, command: ["sleep", "600"]}]
            """;

    @Test
    void theApiIsStrictAboutWhatItStores() {
        String api = TIDE.url();
        Exec.Result unknown = TIDE.kubectl().withInput("""
                apiVersion: serving.knative.dev/v1
                kind: Service
                metadata: {name: typo}
                spec:
                  template:
                    spec:
                      containers: [{image: x, comand: ["sh"]}]
                """, "apply", "-f", "-");
        assertThat(unknown.rc()).isNotZero();
        assertThat(unknown.err()).contains("strict decoding error: unknown field \"spec.template.spec.containers[0].comand\"");
        Exec.Result huge = curl("-X", "POST", "-H", "Content-Type: application/json", "--data", """
                {"apiVersion":"serving.knative.dev/v1","kind":"Service","metadata":{"name":"huge"},"spec":{"template":{"spec":
                 {"containerConcurrency":18446744073709551616,"containers":[{"image":"x","command":["sleep","1"]}]}}}}""", api + SERVICES);
        assertThat(huge.out()).isEqualTo("400");
        assertThat(huge.err()).contains("18446744073709551616: spec.template.spec.containerConcurrency");
        Exec.Result labels = curl("-X", "POST", "-H", "Content-Type: application/json", "--data",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"l\",\"labels\":{\"a\":[\"x\"]},"
                        + "\"annotations\":{\"o\":{\"p\":1}}}}", api + "/api/v1/namespaces/default/configmaps");
        assertThat(labels.out()).isEqualTo("400");
        assertThat(labels.err()).contains("metadata.labels[a]").contains("metadata.annotations[o]");
        Exec.Result selector = curl(api + SERVICES + "?labelSelector=app%20in%20x");
        assertThat(selector.out()).as("a bad selector is an error, not everything").isEqualTo("400");
        assertThat(selector.err()).contains("unable to parse requirement");
        Exec.Result aliases = curl("-X", "POST", "-H", "Content-Type: application/yaml", "--data-binary", """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: aliased}
                data:
                  first: &shared hello
                  second: *shared
                """, api + "/api/v1/namespaces/default/configmaps");
        assertThat(aliases.out()).as(aliases.toString()).isEqualTo("201");
        assertThat(TIDE.kubectl().ok("get", "cm", "aliased", "-o", "jsonpath={.data.second}")).isEqualTo("hello");
        assertThat(TIDE.kubectl().ok("get", "ksvc", "-o", "name")).doesNotContain("typo").doesNotContain("huge");
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> out = new ArrayList<>(head);
        out.addAll(List.of(tail));
        return out;
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
