package dev.tide.controlplane.apiserver.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ApiGuardTest {

    private static final Tokens TOKENS = Tokens.parseCsv("""
            admin-token,alice,1,"system:masters"
            view-token,victor,2,tide:view
            team-token,tina,3,"tide:admin:team"
            """, "tokens.csv");
    private static final ApiGuard LOOPBACK = new ApiGuard(true, Set.of("tide.internal"), TOKENS, false);
    private static final Sessions SESSIONS = id -> id.equals("live-session")
            ? java.util.Optional.of(new Identity("alice", List.of("system:masters"), Role.ADMIN, null)) : java.util.Optional.empty();
    private static final ApiGuard EXPOSED = new ApiGuard(false, Set.of(), TOKENS, true, SESSIONS);

    /** @param want the status code, or 200 when allowed */
    record Case(String name, ApiGuard guard, String method, String path, Map<String, String> headers, int want) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Map<String, String> h(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("Host", "127.0.0.1:8081");
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                m.remove(kv[i]);
            } else {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }

    private static final String SERVICES = "/apis/serving.knative.dev/v1/namespaces/default/services";
    private static final String SECRETS = "/api/v1/namespaces/default/secrets";

    static Stream<Case> cases() {
        return Stream.of(
                new Case("loopback kubectl get", LOOPBACK, "GET", SERVICES, h(), 200),
                new Case("loopback kubectl create", LOOPBACK, "POST", SERVICES, h("Content-Type", "application/json"), 200),
                new Case("loopback apply patch", LOOPBACK, "PATCH", SERVICES + "/hello", h("Content-Type", "application/apply-patch+yaml"), 200),
                new Case("cross-site text/plain POST (no preflight)", LOOPBACK, "POST", SERVICES, h("Content-Type", "text/plain"), 415),
                new Case("cross-site form POST", LOOPBACK, "POST", SERVICES, h("Content-Type", "application/x-www-form-urlencoded"), 415),
                new Case("write with no content type", LOOPBACK, "POST", SERVICES, h(), 415),
                new Case("protobuf for a custom resource", LOOPBACK, "POST", SERVICES, h("Content-Type", "application/vnd.kubernetes.protobuf"), 415),
                new Case("protobuf for a core kind (kubectl create secret)", LOOPBACK, "POST", SECRETS,
                        h("Content-Type", "application/vnd.kubernetes.protobuf"), 200),
                new Case("foreign Origin", LOOPBACK, "POST", SERVICES, h("Content-Type", "application/json", "Origin", "http://evil.example"), 403),
                new Case("foreign Origin on a read", LOOPBACK, "GET", SECRETS, h("Origin", "http://evil.example"), 403),
                new Case("null Origin (sandboxed frame)", LOOPBACK, "GET", SECRETS, h("Origin", "null"), 403),
                new Case("the dashboard's own Origin", LOOPBACK, "POST", "/dashboard/api/load",
                        h("Content-Type", "application/json", "Origin", "http://127.0.0.1:8081"), 200),
                new Case("DNS rebinding Host", LOOPBACK, "GET", SECRETS, h("Host", "evil.example:8081"), 403),
                new Case("rebinding Host that embeds a loopback name", LOOPBACK, "GET", SECRETS, h("Host", "localhost.evil.example"), 403),
                new Case("no Host", LOOPBACK, "GET", SECRETS, h("Host", null), 403),
                new Case("localhost", LOOPBACK, "GET", SECRETS, h("Host", "localhost:8081"), 200),
                new Case("IPv6 loopback", LOOPBACK, "GET", SECRETS, h("Host", "[::1]:8081"), 200),
                new Case("127.0.0.0/8", LOOPBACK, "GET", SECRETS, h("Host", "127.4.5.6"), 200),
                new Case("not quite a loopback address", LOOPBACK, "GET", SECRETS, h("Host", "127.0.0.256"), 403),
                new Case("an --api-host name", LOOPBACK, "GET", SECRETS, h("Host", "tide.internal:8081"), 200),
                new Case("a wrong token, even on loopback", LOOPBACK, "GET", SECRETS, h("Authorization", "Bearer nope"), 401),
                new Case("basic auth is not a token", LOOPBACK, "GET", SECRETS, h("Authorization", "Basic YTpi"), 401),
                new Case("a token with any Host", LOOPBACK, "GET", SECRETS, h("Authorization", "Bearer admin-token", "Host", "10.1.2.3"), 200),
                new Case("exposed without a token", EXPOSED, "GET", SECRETS, h(), 401),
                new Case("exposed create without a token", EXPOSED, "POST", SERVICES, h("Content-Type", "application/json"), 401),
                new Case("exposed health", EXPOSED, "GET", "/readyz", h(), 200),
                new Case("exposed version", EXPOSED, "GET", "/version", h(), 200),
                new Case("exposed metrics need a token", EXPOSED, "GET", "/metrics", h(), 401),
                new Case("exposed dashboard data needs a token", EXPOSED, "GET", "/dashboard/api/overview", h(), 401),
                new Case("exposed logs need a token", EXPOSED, "GET", "/logs/v1/namespaces/default/revisions/r", h(), 401),
                new Case("exposed admin create", EXPOSED, "POST", SERVICES, h("Authorization", "Bearer admin-token", "Content-Type", "application/json"), 200),
                new Case("exposed own origin over TLS", EXPOSED, "POST", "/dashboard/api/load",
                        h("Authorization", "Bearer admin-token", "Content-Type", "application/json", "Origin", "https://127.0.0.1:8081"), 200),
                new Case("view lists services", EXPOSED, "GET", SERVICES, h("Authorization", "Bearer view-token"), 200),
                new Case("view watches", EXPOSED, "GET", "/apis/serving.knative.dev/v1/services", h("Authorization", "Bearer view-token"), 200),
                new Case("view cannot create", EXPOSED, "POST", SERVICES, h("Authorization", "Bearer view-token", "Content-Type", "application/json"), 403),
                new Case("view cannot delete", EXPOSED, "DELETE", SERVICES + "/hello", h("Authorization", "Bearer view-token"), 403),
                new Case("view cannot read Secrets", EXPOSED, "GET", SECRETS + "/creds", h("Authorization", "Bearer view-token"), 403),
                new Case("view cannot list Secrets anywhere", EXPOSED, "GET", "/api/v1/secrets", h("Authorization", "Bearer view-token"), 403),
                new Case("view reads the dashboard", EXPOSED, "GET", "/dashboard/api/overview", h("Authorization", "Bearer view-token"), 200),
                new Case("view cannot run a stress test", EXPOSED, "POST", "/dashboard/api/load",
                        h("Authorization", "Bearer view-token", "Content-Type", "application/json"), 403),
                new Case("view reads logs", EXPOSED, "GET", "/logs/v1/namespaces/default/revisions/r", h("Authorization", "Bearer view-token"), 200),
                new Case("namespace admin in its namespace", EXPOSED, "POST", "/apis/serving.knative.dev/v1/namespaces/team/services",
                        h("Authorization", "Bearer team-token", "Content-Type", "application/json"), 200),
                new Case("namespace admin elsewhere", EXPOSED, "POST", SERVICES, h("Authorization", "Bearer team-token", "Content-Type", "application/json"), 403),
                new Case("namespace admin across namespaces", EXPOSED, "GET", "/apis/serving.knative.dev/v1/services", h("Authorization", "Bearer team-token"), 403),
                new Case("namespace admin discovery", EXPOSED, "GET", "/apis/serving.knative.dev/v1", h("Authorization", "Bearer team-token"), 200),
                new Case("namespace admin cannot see every namespace's metrics", EXPOSED, "GET", "/metrics", h("Authorization", "Bearer team-token"), 403),
                new Case("namespace admin's logs elsewhere", EXPOSED, "GET", "/logs/v1/namespaces/default/revisions/r",
                        h("Authorization", "Bearer team-token"), 403),
                new Case("a browser opening the dashboard goes to the login", EXPOSED, "GET", "/dashboard/", h(), 303),
                new Case("the login form, without credentials", EXPOSED, "GET", "/dashboard/login", h(), 200),
                new Case("the login's form POST", EXPOSED, "POST", "/dashboard/login", h("Content-Type", "application/x-www-form-urlencoded",
                        "Origin", "https://127.0.0.1:8081"), 200),
                new Case("a login form posted from another site", EXPOSED, "POST", "/dashboard/login",
                        h("Content-Type", "application/x-www-form-urlencoded", "Origin", "https://evil.example"), 403),
                new Case("form POSTs elsewhere stay refused", EXPOSED, "POST", "/dashboard/api/load",
                        h("Cookie", "tide-session=live-session", "Content-Type", "application/x-www-form-urlencoded"), 415),
                new Case("a live session on the dashboard", EXPOSED, "GET", "/dashboard/api/overview", h("Cookie", "a=b; tide-session=live-session"), 200),
                new Case("a live session runs a stress test", EXPOSED, "POST", "/dashboard/api/load",
                        h("Cookie", "tide-session=live-session", "Content-Type", "application/json", "Origin", "https://127.0.0.1:8081"), 200),
                new Case("a session is not a key to the API", EXPOSED, "GET", SECRETS, h("Cookie", "tide-session=live-session"), 401),
                new Case("a dead session", EXPOSED, "GET", "/dashboard/api/overview", h("Cookie", "tide-session=expired"), 401),
                new Case("encoded path still names the namespace", EXPOSED, "GET", "/apis/serving.knative.dev/v1/namespaces/%64efault/services",
                        h("Authorization", "Bearer team-token"), 403));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void decides(Case c) {
        Map<String, String> lower = new HashMap<>();
        c.headers().forEach((k, v) -> lower.put(k.toLowerCase(java.util.Locale.ROOT), v));
        ApiGuard.Decision d = c.guard().check(c.method(), c.path(), false, name -> lower.get(name.toLowerCase(java.util.Locale.ROOT)));
        int code = switch (d) {
            case ApiGuard.Refused r -> r.code();
            case ApiGuard.Redirect r -> 303;
            case ApiGuard.Allowed a -> 200;
        };
        assertThat(code).as(d.toString()).isEqualTo(c.want());
    }

    @org.junit.jupiter.api.Test
    void refusalsSayWhoAndWhatAsKubernetesDoes() {
        ApiGuard.Decision d = EXPOSED.check("DELETE", SERVICES + "/hello", false,
                n -> n.equalsIgnoreCase("Authorization") ? "Bearer view-token" : null);
        assertThat(((ApiGuard.Refused) d).message()).isEqualTo("services.serving.knative.dev \"hello\" is forbidden: User \"victor\" "
                + "cannot delete resource \"services\" in API group \"serving.knative.dev\" in the namespace \"default\"");
    }

    @org.junit.jupiter.api.Test
    void tokenFileLinesAreCheckedAndNamed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Tokens.parseCsv("""
                a,alice,1,system:masters
                b,bob,2,developers
                a,carol,3,tide:view
                short,x
                """, "t.csv")).hasMessage(String.join("\n", List.of(
                "t.csv:2: user \"bob\" has no Tide role; give it one of the groups system:masters, tide:admin, tide:view, "
                        + "tide:admin:NAMESPACE or tide:view:NAMESPACE",
                "t.csv:3: this token is already given to another line",
                "t.csv:4: expected token,user,uid[,\"group1,group2\"]")));
        Identity both = Tokens.parseCsv("t,dana,4,\"tide:view,tide:admin\"", "t.csv").authenticate("t").orElseThrow();
        assertThat(both.role()).as("the strongest role wins").isEqualTo(Role.ADMIN);
        assertThat(both.groups()).containsExactly("tide:view", "tide:admin");
        assertThat(Tokens.parseCsv("t,dana,4,tide:view", "t.csv").authenticate("T")).as("tokens are case-sensitive").isEmpty();
    }
}
