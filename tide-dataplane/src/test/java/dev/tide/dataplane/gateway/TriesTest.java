package dev.tide.dataplane.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TriesTest {

    @ParameterizedTest(name = "{0} after {1} tries, body lost {2}, {3}: {4}")
    @CsvSource(delimiter = '|', textBlock = """
            NOT_CONNECTED | 1 | false | POST   | true
            NOT_CONNECTED | 2 | true  | POST   | false
            NOT_CONNECTED | 3 | false | GET    | false
            NOT_SENT      | 1 | false | POST   | true
            NOT_SENT      | 1 | true  | POST   | false
            NOT_SENT      | 1 | true  | PUT    | false
            LOST          | 1 | false | POST   | false
            LOST          | 1 | false | PATCH  | false
            LOST          | 1 | false | GET    | true
            LOST          | 2 | false | DELETE | true
            LOST          | 1 | true  | PUT    | false
            LOST          | 3 | false | GET    | false
            """)
    void aRequestIsTriedAgainOnlyWhileTheReplicaCannotHaveActedOnItOrActingTwiceIsHarmless(
            Tries.Failure failure, int tries, boolean bodyLost, String method, boolean retried) {
        assertThat(Tries.mayRetry(failure, tries, bodyLost, method)).isEqualTo(retried);
    }
}
