/** A field's reasons from a 422 problem, tied to its input by `aria-describedby`. */
export function FieldError({ id, reasons }: { id: string; reasons?: string[] }) {
  if (!reasons?.length) return null;
  return (
    <span id={id} class="field-error" role="alert">
      {reasons.join("; ")}
    </span>
  );
}

/** Props for an input whose errors a `FieldError` with `id` shows. */
export function described(id: string, reasons?: string[]) {
  return reasons?.length ? { "aria-describedby": id, "aria-invalid": true as const } : {};
}
