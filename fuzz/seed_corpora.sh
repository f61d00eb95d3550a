#!/bin/sh
# Seeds the fuzz corpora from the repository's own faq/ folder (run from
# anywhere; writes fuzz/corpus/<target>/, which git ignores):
#   text_reader  every question and alternate phrasing of faq/entries/*.toml
#   loaders      every file of faq/, behind the byte that picks its loader
#                (see fuzz_targets/loaders.rs)
#   condition    every `ask_if` and `when` condition of faq/symptom-check.toml
set -eu
here=$(cd "$(dirname "$0")" && pwd)
faq="$here/../faq"
corpus="$here/corpus"
mkdir -p "$corpus/text_reader" "$corpus/loaders" "$corpus/condition"

n=0
for entry in "$faq"/entries/*.toml; do
    grep -E '^(question = |  ")' "$entry" | sed -e 's/^question = //' -e 's/^  //' \
        -e 's/,$//' -e 's/^"//' -e 's/"$//' |
        while IFS= read -r line; do
            n=$((n + 1))
            printf '%s' "$line" > "$corpus/text_reader/$(basename "$entry" .toml)-$n"
        done
done

# One seed per file: the selector byte, then the file.
seed() { # selector name file
    { printf "\\$(printf '%03o' "$1")"; cat "$3"; } > "$corpus/loaders/$2"
}
for entry in "$faq"/entries/*.toml; do
    seed 0 "entry-$(basename "$entry")" "$entry"
done
seed 1 synonyms.toml "$faq/synonyms.toml"
seed 2 urgency.toml "$faq/urgency.toml"
seed 3 symptom-check.toml "$faq/symptom-check.toml"
seed 4 config.example.toml "$here/../config.example.toml"
seed 5 lexicon.tsv "$faq/emergency/lexicon.tsv"
seed 6 context.toml "$faq/emergency/context.toml"
seed 7 flags.toml "$faq/emergency/flags.toml"
seed 8 model.tsv "$faq/emergency/model.tsv"
printf '\011[answers]\nrf_chest_pain_or_breathless = "no"\necq_location = ["calf", "thigh"]\n' \
    > "$corpus/loaders/answers.toml"

n=0
grep -E '^(ask_if|when) = "' "$faq/symptom-check.toml" | sed -e 's/^[a-z_]* = "//' -e 's/"$//' |
    while IFS= read -r line; do
        n=$((n + 1))
        printf '%s' "$line" > "$corpus/condition/condition-$n"
    done
echo "seeded: $(ls "$corpus/text_reader" | wc -l) text_reader, $(ls "$corpus/loaders" | wc -l) loaders, $(ls "$corpus/condition" | wc -l) condition"
