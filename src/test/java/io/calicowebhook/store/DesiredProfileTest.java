package io.calicowebhook.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calicowebhook.etcd.EtcdKeys;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a DesiredProfile works out once must be what the store would work out each time. */
class DesiredProfileTest {

  private static int utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  @Test
  void ownerJsonIsTheOwnershipRecord() {
    Owner owner = new Owner("6b1f-uid", "production", "frontend-1");
    DesiredProfile desired = new DesiredProfile("production_frontend-1", "{}", "[]", owner);

    assertEquals(owner.toJson(), desired.ownerJson());
    assertEquals(
        "{\"uid\":\"6b1f-uid\",\"namespace\":\"production\",\"name\":\"frontend-1\"}",
        desired.ownerJson());
  }

  @Test
  void bytesCoverEveryKeyValueAndGuardEvenForNonAsciiText() {
    String id = "ns_pod";
    String rules = "{\"id\":\"ns_pod\",\"inbound_rules\":[],\"note\":\"é€😀\"}";
    String tags = "[\"ns_app_caf\u00e9\"]";
    DesiredProfile desired = new DesiredProfile(id, rules, tags, new Owner("u", "ns", "pod"));

    int keys = utf8(EtcdKeys.rules(id)) + utf8(EtcdKeys.tags(id)) + utf8(EtcdKeys.owner(id));
    int values = utf8(rules) + utf8(tags) + utf8(desired.ownerJson());
    // every key is sent twice (put and guard), every value once
    assertTrue(desired.bytes() >= 2 * keys + values, () -> "estimate " + desired.bytes());
    assertEquals(desired.bytes(), TxnCost.bytes(new ProfileOp.Put(desired)));
  }

  @Test
  void equalityIsTheValuesAndTheOwner() {
    Owner owner = new Owner("u", "ns", "pod");
    DesiredProfile one = new DesiredProfile("ns_pod", "{}", "[]", owner);

    assertEquals(one, new DesiredProfile("ns_pod", "{}", "[]", new Owner("u", "ns", "pod")));
    assertEquals(one.hashCode(), new DesiredProfile("ns_pod", "{}", "[]", owner).hashCode());
    assertNotEquals(one, new DesiredProfile("ns_pod", "{}", "[]", new Owner("v", "ns", "pod")));
    assertNotEquals(one, new DesiredProfile("ns_pod", "{}", "[\"t\"]", owner));
  }
}
