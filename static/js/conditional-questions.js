// Progressive enhancement: a round question shown "only if question X is answered Y" is hidden while X is
// answered otherwise. Without JavaScript every question shows, with a hint saying when to answer it; the
// server ignores answers to hidden questions either way.
export function initConditionalQuestions(root = document) {
  const wrappers = root.querySelectorAll(".app-conditional-question[data-condition-field]");
  wrappers.forEach((wrapper) => {
    const name = wrapper.dataset.conditionField;
    const wanted = wrapper.dataset.conditionValue;
    const form = wrapper.closest("form");
    if (!name || !form) return;
    const inputs = Array.from(form.querySelectorAll("input")).filter((input) => input.name === name);
    if (!inputs.length) return;
    const update = () => {
      const chosen = inputs.filter((input) => input.checked).map((input) => input.value);
      wrapper.hidden = !chosen.includes(wanted);
    };
    inputs.forEach((input) => input.addEventListener("change", update));
    update();
  });
}
