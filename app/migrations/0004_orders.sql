-- Orders: procedures requested for a patient and not necessarily performed yet, the input of the
-- pre-scan duplicate check. Deliberately minimal; the duplicate-check work extends it (source
-- message, check outcome) with further migrations. Patients are referenced by their keyed
-- identity only, like studies; procedure codes are "scheme:value" as on studies.procedure_code.
CREATE TABLE IF NOT EXISTS orders (
  order_id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  trust_id                  bigint NOT NULL REFERENCES trusts (trust_id),
  patient_id                bigint REFERENCES patients (patient_id),
  placer_order_number       text,
  filler_order_number       text,
  requested_procedure_code  text,
  requested_procedure_text  text,
  modality                  text,
  body_region               text,
  scheduled_at              timestamptz,
  status                    text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'performed', 'cancelled')),
  created_at                timestamptz NOT NULL DEFAULT now()
);

-- The duplicate check reads a patient's orders around a date.
CREATE INDEX IF NOT EXISTS orders_patient_time_idx ON orders (patient_id, scheduled_at);
-- A placer order number identifies an order within its trust (HL7 ORC-2): a resent order is the same order.
CREATE UNIQUE INDEX IF NOT EXISTS orders_trust_placer_idx ON orders (trust_id, placer_order_number)
  WHERE placer_order_number IS NOT NULL;
