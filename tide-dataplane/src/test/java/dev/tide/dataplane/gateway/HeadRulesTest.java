package dev.tide.dataplane.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tide.dataplane.ServingException;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Heads as clients send them, through the ingress's codec with its limits, and the answer each gets. */
class HeadRulesTest {

    private static final ClientLimits LIMITS = ClientLimits.DEFAULT;

    private static HttpRequest decode(String head) {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(LIMITS.maxRequestLine()).setMaxHeaderSize(LIMITS.maxHeaderBytes())));
        ch.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1));
        HttpRequest request = null;
        for (Object m; (m = ch.readInbound()) != null; ) {
            if (request == null && m instanceof HttpRequest r) {
                request = r;
            }
            ReferenceCountUtil.release(m);
        }
        ch.finishAndReleaseAll();
        return request;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            plain request                  | GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                   | 0
            HTTP/1.0 without Host          | GET / HTTP/1.0\\r\\n\\r\\n                                              | 0
            HTTP/1.1 without Host          | GET / HTTP/1.1\\r\\n\\r\\n                                              | 400
            two Hosts                      | GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n                        | 400
            two Content-Lengths            | POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 1\\r\\nContent-Length: 1\\r\\n\\r\\nx | 400
            unknown version                | GET / HTTP/9.9\\r\\nHost: a\\r\\n\\r\\n                                   | 505
            HTTP/2 spoken as text          | GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n                                   | 505
            garbage                        | \\u0001\\u0002 nonsense\\r\\n\\r\\n                                         | 400
            """)
    void headsGetNginxsAnswers(String what, String head, int status) {
        ServingException.Malformed refusal = HeadRules.check(decode(head.replace("\\r\\n", "\r\n")), LIMITS);
        assertThat(refusal == null ? 0 : refusal.status()).as(what).isEqualTo(status);
    }

    @org.junit.jupiter.api.Test
    void aLongRequestLineIs414AndLongHeadersAre431() {
        String longUri = "/" + "a".repeat(LIMITS.maxRequestLine());
        assertThat(HeadRules.check(decode("GET " + longUri + " HTTP/1.1\r\nHost: a\r\n\r\n"), LIMITS).status()).isEqualTo(414);
        String bigHeader = "X-Big: " + "b".repeat(LIMITS.maxHeaderBytes()) + "\r\n";
        ServingException.Malformed big = HeadRules.check(decode("GET / HTTP/1.1\r\nHost: a\r\n" + bigHeader + "\r\n"), LIMITS);
        assertThat(big.status()).isEqualTo(431);
        assertThat(big.getMessage()).contains("32768 bytes");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            proxy form                 | GET http://hello-predictor.default/v1/models/m:predict HTTP/1.1\\r\\nHost: other\\r\\n\\r\\n | hello-predictor.default | /v1/models/m:predict
            with a port and a query    | GET http://a.b:8080?x=1 HTTP/1.1\\r\\nHost: a.b:8080\\r\\n\\r\\n                          | a.b:8080                | /?x=1
            user info dropped          | GET HTTP://u:p@a.b/x HTTP/1.1\\r\\nHost: a.b\\r\\n\\r\\n                                   | a.b                     | /x
            origin form left alone     | GET /v2/models HTTP/1.1\\r\\nHost: h.example.com\\r\\n\\r\\n                              | h.example.com           | /v2/models
            """)
    void aTargetInAbsoluteFormBecomesOriginFormWithItsAuthorityAsHost(String what, String head, String host, String uri) {
        HttpRequest r = decode(head.replace("\\r\\n", "\r\n"));
        HeadRules.originForm(r);
        assertThat(r.headers().get("Host")).as(what).isEqualTo(host);
        assertThat(r.uri()).as(what).isEqualTo(uri);
    }
}
