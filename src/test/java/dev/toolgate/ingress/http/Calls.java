package dev.toolgate.ingress.http;

import static io.restassured.RestAssured.given;

import io.restassured.response.Response;

/** Requests the gateway tests send, with the demo's credentials. */
final class Calls {

    static final String SUPPORT = "Bearer demo-support-key";
    static final String RELEASE = "Bearer demo-deploy-key";
    static final String GLOBEX = "Bearer globex-deploy-key";
    static final String PAUSED = "Bearer paused-key";

    private Calls() {
    }

    static Response get(String credential, String path) {
        return given().header("Authorization", credential).urlEncodingEnabled(false).get(path);
    }

    static Response post(String credential, String path, String json) {
        return given().header("Authorization", credential).contentType("application/json").body(json)
                .urlEncodingEnabled(false).post(path);
    }

    static String refund(long amount, String tenant) {
        return "{\"charge\":\"ch_1\",\"amount_usd_micros\":" + amount + ",\"tenant\":\"" + tenant + "\"}";
    }

    static String deployment(String environment) {
        return "{\"service\":\"api\",\"environment\":\"" + environment + "\"}";
    }

    static String id(Response response) {
        return response.header("Toolgate-Decision-Id");
    }
}
