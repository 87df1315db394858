package io.calicowebhook.etcd;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import io.calicowebhook.etcd.EtcdResource.InjectEtcd;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import org.junit.jupiter.api.Test;

/** etcd's health and alarms are reported, and never gate readiness. */
@QuarkusTest
@WithTestResource(EtcdResource.class)
class EtcdHealthTest {
  @InjectEtcd EtcdProcess etcd;

  @TestHTTPResource(value = "/q/health/well", tls = true)
  URL wellness;

  @TestHTTPResource(value = "/q/health/ready", tls = true)
  URL readiness;

  @Test
  void reportsEtcdUpWithItsEndpoint() {
    given()
        .relaxedHTTPSValidation()
        .get(wellness)
        .then()
        .statusCode(200)
        .body("checks.find { it.name == 'etcd' }.status", equalTo("UP"))
        .body("checks.find { it.name == 'etcd' }.data.endpoints", equalTo(etcd.endpoint()))
        .body("checks.find { it.name == 'etcd' }.data.revision", notNullValue());
  }

  @Test
  void reportsAnActiveAlarmAsDown() throws Exception {
    try (EtcdKv kv = new EtcdKv(etcd.endpoint())) {
      EtcdAlarms.activate(etcd.endpoint(), kv.client(), "NOSPACE");
      try {
        given()
            .relaxedHTTPSValidation()
            .get(wellness)
            .then()
            .statusCode(503)
            .body("checks.find { it.name == 'etcd' }.status", equalTo("DOWN"))
            .body("checks.find { it.name == 'etcd' }.data.alarms", equalTo("NOSPACE"))
            .body("checks.find { it.name == 'etcd' }.data.revision", notNullValue());
        given().relaxedHTTPSValidation().get(readiness).then().statusCode(200);
      } finally {
        EtcdAlarms.disarmAll(kv.client());
      }
      given()
          .relaxedHTTPSValidation()
          .get(wellness)
          .then()
          .body("checks.find { it.name == 'etcd' }.status", equalTo("UP"));
    }
  }

  @Test
  void staysReadyWhileEtcdIsDown() {
    etcd.stop();
    try {
      given()
          .relaxedHTTPSValidation()
          .get(wellness)
          .then()
          .statusCode(503)
          .body("checks.find { it.name == 'etcd' }.status", equalTo("DOWN"))
          .body("checks.find { it.name == 'etcd' }.data.error", notNullValue());
      given()
          .relaxedHTTPSValidation()
          .get(readiness)
          .then()
          .statusCode(200)
          .body("status", equalTo("UP"))
          .body("checks.name", not(hasItem("etcd")));
    } finally {
      etcd.start();
    }
  }
}
