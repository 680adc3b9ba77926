package dev.toolgate.call;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** What toolgate sends on can be read one way only: everything but the unreserved characters escaped. */
class PercentEncodingTest {

    @Test
    void escapesEverythingButTheUnreservedCharacters() {
        assertEquals("ch_1-a.b~c", PercentEncoding.encode("ch_1-a.b~c"));
        assertEquals("a%20b%2Bc%26d%3De%3Bf%2Fg%25h", PercentEncoding.encode("a b+c&d=e;f/g%h"));
        assertEquals("%C3%A9%E2%82%AC", PercentEncoding.encode("é€"));
        assertEquals("..%3Bx", PercentEncoding.encode("..;x"));
    }

    @Test
    void buildsPathsFromDecodedSegments() {
        assertEquals("/", PercentEncoding.path(List.of("")));
        assertEquals("/", PercentEncoding.path(List.of()));
        assertEquals("/charges/a%2Fb", PercentEncoding.path(List.of("charges", "a/b")));
    }

    @Test
    void buildsQueriesInTheOrderTheParametersCame() {
        Map<String, List<String>> query = new LinkedHashMap<>();
        query.put("z", List.of("1"));
        query.put("a", List.of("2", "two words"));
        query.put("m", List.of(""));
        assertEquals("z=1&a=2&a=two%20words&m=", PercentEncoding.query(query));
        // and an invocation keeps that order
        Invocation invocation = new Invocation("GET", "/", query, new byte[0]);
        assertEquals("z=1&a=2&a=two%20words&m=", PercentEncoding.query(invocation.query()));
    }
}
