import { fieldErrors, vehicleBody, vehicleForm } from "./fleetAdmin";

describe("fleet admin", () => {
  const known = (f: string) => f.startsWith("compartments") || f === "depot_site_id";

  it("puts each 422 reason next to its field, whichever shape it came in", () => {
    const rules = fieldErrors(
      {
        status: 422,
        errors: [
          "compartments.0.setpoint_celsius: 9 °C is outside the chilled band (-2 to 7 °C)",
          "depot_site_id: no active site 'x'",
          "a reason without a field",
        ],
      },
      known,
    );
    expect(rules.byField["compartments.0.setpoint_celsius"]).toEqual(["9 °C is outside the chilled band (-2 to 7 °C)"]);
    expect(rules.byField.depot_site_id).toHaveLength(1);
    expect(rules.other).toEqual(["a reason without a field"]);
    const validation = fieldErrors(
      { status: 422, errors: [{ pointer: "/body/compartments/0/pallets", field: "compartments.0.pallets", reason: "too big" }, { field: "colour", reason: "extra" }] },
      known,
    );
    expect(validation.byField["compartments.0.pallets"]).toEqual(["too big"]);
    expect(validation.other).toEqual(["colour: extra"]);
    expect(fieldErrors({ status: 422, detail: "latitude: must be at most 90" }, (f) => f === "latitude").byField).toEqual({
      latitude: ["must be at most 90"],
    });
  });

  it("turns the form into a request body and a record back into the form", () => {
    const form = { ...vehicleForm(null), device_ids: " d1, d2 ", weight_capacity_kg: "" };
    const body = vehicleBody(form);
    expect(body.device_ids).toEqual(["d1", "d2"]);
    expect(body).not.toHaveProperty("weight_capacity_kg");
    expect(body.compartments).toEqual([{ channel: "A", zone: "chilled", setpoint_celsius: 3, pallets: 16 }]);
    expect(body.shift).toEqual({ start: "08:00", end: "18:00", weekdays: [0, 1, 2, 3, 4] });
    const back = vehicleForm({ vehicle_id: "v", body_type: "chilled", compartments: [], shift: { start: "06:00:00", end: "14:00:00", weekdays: [1] }, active: false });
    expect([back.shift_start, back.shift_end, back.active]).toEqual(["06:00", "14:00", false]);
  });
});
