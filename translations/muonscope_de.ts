<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE" sourcelanguage="en_US">
<context>
    <name>main</name>
    <message>
        <source>Trains small GPTs and shows what AdamW and Muon do inside them.</source>
        <translation>Trainiert kleine GPTs und zeigt, was AdamW und Muon in ihrem Inneren bewirken.</translation>
    </message>
    <message>
        <source>Run files (.h5) to open.</source>
        <translation>Zu öffnende Lauf-Dateien (.h5).</translation>
    </message>
</context>
<context>
    <name>ms</name>
    <message>
        <source>Muonscope comparison</source>
        <translation>Muonscope-Vergleich</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <source>Difference not drawn: </source>
        <translation>Differenz nicht gezeichnet: </translation>
    </message>
    <message>
        <source>Participation ratio (PR_sv of k) and difference</source>
        <translation>Partizipationsverhältnis (PR_sv von k) und Differenz</translation>
    </message>
    <message>
        <source>Participation ratio (PR_sv of k)</source>
        <translation>Partizipationsverhältnis (PR_sv von k)</translation>
    </message>
    <message>
        <source>K/V asymmetry (channel / token max-mean ratio)</source>
        <translation>K/V-Asymmetrie (Verhältnis max/mean Kanal / Token)</translation>
    </message>
    <message>
        <source>KIVI quantized-cache loss (2-bit)</source>
        <translation>KIVI-Verlust mit quantisiertem Cache (2 Bit)</translation>
    </message>
    <message>
        <source>Tail QA: first-token accuracy (head and tail)</source>
        <translation>Tail-QA: Erste-Token-Genauigkeit (Kopf und Schwanz)</translation>
    </message>
    <message>
        <source>No run has tail-QA data: the FTA figure is left out.</source>
        <translation>Kein Lauf hat Tail-QA-Daten: die FTA-Abbildung entfällt.</translation>
    </message>
    <message>
        <source>Not drawn: </source>
        <translation>Nicht gezeichnet: </translation>
    </message>
    <message>
        <source>Singular values of layer %1</source>
        <translation>Singulärwerte von Schicht %1</translation>
    </message>
    <message>
        <source>Final metrics</source>
        <translation>Endwerte</translation>
    </message>
    <message>
        <source>Written by Muonscope on %1.

</source>
        <translation>Geschrieben von Muonscope am %1.

</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Optimizers</source>
        <translation>Optimierer</translation>
    </message>
    <message>
        <source>Data: [%1](%1)

</source>
        <translation>Daten: [%1](%1)

</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>Konfiguration</translation>
    </message>
    <message>
        <source>What differs</source>
        <translation>Was sich unterscheidet</translation>
    </message>
    <message>
        <source>Key</source>
        <translation>Schlüssel</translation>
    </message>
    <message>
        <source>Isotropy: eRank of W_VO (sum over heads) and W_out</source>
        <translation>Isotropie: eRank von W_VO (Summe über Köpfe) und W_out</translation>
    </message>
</context>
<context>
    <name>ms::AssocClassPlot</name>
    <message>
        <source>Final correct probability per class (head facts k &lt; L on the left)</source>
        <translation>Endgültige Wahrscheinlichkeit der richtigen Klasse je Klasse (Kopf-Fakten k &lt; L links)</translation>
    </message>
    <message>
        <source>Class k</source>
        <translation>Klasse k</translation>
    </message>
    <message>
        <source>Final f_k</source>
        <translation>End-f_k</translation>
    </message>
    <message>
        <source>head ← | → tail</source>
        <translation>Kopf ← | → Schwanz</translation>
    </message>
</context>
<context>
    <name>ms::AssocMemoryPanel</name>
    <message>
        <source>Associative memory</source>
        <translation>Assoziativspeicher</translation>
    </message>
    <message>
        <source>Number of facts K (= embedding dimension d)</source>
        <translation>Anzahl der Fakten K (= Embedding-Dimension d)</translation>
    </message>
    <message>
        <source>Probability mass alpha of the L head facts (the rest share 1 - alpha)</source>
        <translation>Wahrscheinlichkeitsmasse alpha der L Kopf-Fakten (der Rest teilt sich 1 - alpha)</translation>
    </message>
    <message>
        <source>Head fraction beta: L = round(beta K) frequent facts</source>
        <translation>Kopfanteil beta: L = round(beta K) häufige Fakten</translation>
    </message>
    <message>
        <source>Stop once the best class&apos;s correct probability reaches 1 - eps</source>
        <translation>Anhalten, sobald die Wahrscheinlichkeit der besten Klasse 1 - eps erreicht</translation>
    </message>
    <message>
        <source>One-hot (support-decoupled)</source>
        <translation>One-hot (Träger entkoppelt)</translation>
    </message>
    <message>
        <source>Random orthogonal (support-coupled)</source>
        <translation>Zufällig orthogonal (Träger gekoppelt)</translation>
    </message>
    <message>
        <source>Seed of the random orthogonal embeddings</source>
        <translation>Startwert der zufälligen orthogonalen Embeddings</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Facts K:</source>
        <translation>Fakten K:</translation>
    </message>
    <message>
        <source>Head mass α:</source>
        <translation>Kopfmasse α:</translation>
    </message>
    <message>
        <source>Head fraction β:</source>
        <translation>Kopfanteil β:</translation>
    </message>
    <message>
        <source>Stop at 1 − ε, ε:</source>
        <translation>Anhalten bei 1 − ε, ε:</translation>
    </message>
    <message>
        <source>Embedding:</source>
        <translation>Embedding:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Startwert:</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>min p</source>
        <translation>min p</translation>
    </message>
    <message>
        <source>max p</source>
        <translation>max p</translation>
    </message>
    <message>
        <source>Gap Δ</source>
        <translation>Lücke Δ</translation>
    </message>
    <message>
        <source>Converged</source>
        <translation>Konvergiert</translation>
    </message>
    <message>
        <source>lr</source>
        <translation>lr</translation>
    </message>
    <message>
        <source>Finding to look for (tail-learning paper, Section 5): Muon&apos;s gap Δ is small for both embeddings; GD&apos;s is large; SignGD&apos;s is small with one-hot and large with orthogonal embeddings.</source>
        <translation>Erwarteter Befund (Tail-Learning-Artikel, Abschnitt 5): Die Lücke Δ von Muon ist bei beiden Embeddings klein; die von GD ist groß; die von SignGD ist mit One-hot klein und mit orthogonalen Embeddings groß.</translation>
    </message>
    <message>
        <source>L = round(βK) = %1 head facts, %2 tail facts</source>
        <translation>L = round(βK) = %1 Kopf-Fakten, %2 Schwanz-Fakten</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>Wird berechnet…</translation>
    </message>
    <message>
        <source>K = %1, L = %2, α = %3, β = %4, ε = %5, %6 embeddings</source>
        <translation>K = %1, L = %2, α = %3, β = %4, ε = %5, %6 Embeddings</translation>
    </message>
    <message>
        <source>one-hot</source>
        <translation>One-hot</translation>
    </message>
    <message>
        <source>random orthogonal</source>
        <translation>zufällig orthogonal</translation>
    </message>
</context>
<context>
    <name>ms::AssocTrajectoryPlot</name>
    <message>
        <source>Correct-class probability over steps (solid: min over classes, dashed: max)</source>
        <translation>Wahrscheinlichkeit der richtigen Klasse über die Schritte (durchgezogen: Minimum über Klassen, gestrichelt: Maximum)</translation>
    </message>
    <message>
        <source>Log step axis</source>
        <translation>Log. Schrittachse</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>Correct-class probability f_k</source>
        <translation>Wahrscheinlichkeit der richtigen Klasse f_k</translation>
    </message>
    <message>
        <source>%1 (max)</source>
        <translation>%1 (max)</translation>
    </message>
</context>
<context>
    <name>ms::FTAPlot</name>
    <message>
        <source>First-token accuracy per frequency group</source>
        <translation>Erste-Token-Genauigkeit je Häufigkeitsgruppe</translation>
    </message>
    <message>
        <source>FTA</source>
        <translation>FTA</translation>
    </message>
    <message>
        <source>Group (0 = head … tail)</source>
        <translation>Gruppe (0 = Kopf … Schwanz)</translation>
    </message>
    <message>
        <source>FTA at the latest snapshot</source>
        <translation>FTA beim neuesten Snapshot</translation>
    </message>
    <message>
        <source>No first-token accuracy: this run&apos;s data has no QA questions (FTA needs the tail-QA data source).</source>
        <translation>Keine Erste-Token-Genauigkeit: die Daten dieses Laufs haben keine QA-Fragen (FTA braucht die Tail-QA-Datenquelle).</translation>
    </message>
    <message>
        <source>No first-token accuracy yet: it appears at the first metrics snapshot of a tail-QA run.</source>
        <translation>Noch keine Erste-Token-Genauigkeit: sie erscheint mit dem ersten Snapshot eines Tail-QA-Laufs.</translation>
    </message>
    <message>
        <source>g%1 (head)</source>
        <translation>g%1 (Kopf)</translation>
    </message>
    <message>
        <source>g%1 (tail)</source>
        <translation>g%1 (Schwanz)</translation>
    </message>
    <message>
        <source>g%1</source>
        <translation>g%1</translation>
    </message>
    <message>
        <source>FTA at step %1</source>
        <translation>FTA bei Schritt %1</translation>
    </message>
    <message>
        <source>Groups:</source>
        <translation>Gruppen:</translation>
    </message>
    <message>
        <source>X axis:</source>
        <translation>x-Achse:</translation>
    </message>
    <message>
        <source>all groups</source>
        <translation>alle Gruppen</translation>
    </message>
    <message>
        <source>head and tail group</source>
        <translation>Kopf- und Schwanzgruppe</translation>
    </message>
    <message>
        <source>mean over groups</source>
        <translation>Mittel über Gruppen</translation>
    </message>
    <message>
        <source>group %1</source>
        <translation>Gruppe %1</translation>
    </message>
    <message>
        <source>%1: no tail-QA data (no FTA)</source>
        <translation>%1: keine Tail-QA-Daten (keine FTA)</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>tail g=%1</source>
        <translation>Schwanz g=%1</translation>
    </message>
    <message>
        <source>head g=0</source>
        <translation>Kopf g=0</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>Mittel</translation>
    </message>
    <message>
        <source>g=%1</source>
        <translation>g=%1</translation>
    </message>
    <message>
        <source>%1: no FTA for group %2</source>
        <translation>%1: keine FTA für Gruppe %2</translation>
    </message>
    <message>
        <source>%1 · g%2</source>
        <translation>%1 · g%2</translation>
    </message>
    <message>
        <source>FTA at the snapshot nearest step %1</source>
        <translation>FTA beim nächstgelegenen Snapshot zu Schritt %1</translation>
    </message>
    <message>
        <source>No first-token accuracy in any run (FTA needs the tail-QA data source):
</source>
        <translation>Kein Lauf hat Erste-Token-Genauigkeit (FTA braucht die Tail-QA-Datenquelle):
</translation>
    </message>
</context>
<context>
    <name>ms::InspectController</name>
    <message>
        <source>An inspection is already in progress.</source>
        <translation>Es läuft bereits eine Inspektion.</translation>
    </message>
    <message>
        <source>No checkpoints to inspect.</source>
        <translation>Keine Checkpoints zu inspizieren.</translation>
    </message>
    <message>
        <source>No run file to write.</source>
        <translation>Keine Lauf-Datei zum Schreiben angegeben.</translation>
    </message>
    <message>
        <source>The run file %1 already exists.</source>
        <translation>Die Lauf-Datei %1 existiert bereits.</translation>
    </message>
    <message>
        <source>Cannot create the folder %1.</source>
        <translation>Der Ordner %1 kann nicht angelegt werden.</translation>
    </message>
</context>
<context>
    <name>ms::InspectDialog</name>
    <message>
        <source>Inspect Checkpoints</source>
        <translation>Checkpoints inspizieren</translation>
    </message>
    <message>
        <source>Measures checkpoints trained elsewhere (nanoGPT ckpt.pt, Hugging Face GPT-2 / Llama / Mistral / Qwen2 folders) into a run file: one snapshot per checkpoint, in step order.</source>
        <translation>Misst anderswo trainierte Checkpoints (nanoGPT ckpt.pt, Hugging-Face-Ordner von GPT-2 / Llama / Mistral / Qwen2) in eine Lauf-Datei: ein Snapshot je Checkpoint, nach Schritten geordnet.</translation>
    </message>
    <message>
        <source>Checkpoints</source>
        <translation>Checkpoints</translation>
    </message>
    <message>
        <source>Add &amp;Files…</source>
        <translation>&amp;Dateien hinzufügen…</translation>
    </message>
    <message>
        <source>Add F&amp;older…</source>
        <translation>&amp;Ordner hinzufügen…</translation>
    </message>
    <message>
        <source>A model folder is one checkpoint; a folder of checkpoint folders or files adds each</source>
        <translation>Ein Modellordner ist ein Checkpoint; ein Ordner mit Checkpoint-Ordnern oder -Dateien fügt jeden davon hinzu</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>none: weights-only metrics</source>
        <translation>keine: nur Metriken der Gewichte</translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation>D&amp;urchsuchen…</translation>
    </message>
    <message>
        <source>&amp;Probe file:</source>
        <translation>&amp;Probe-Datei:</translation>
    </message>
    <message>
        <source>Token file (.bin: nanoGPT uint16 or a modded-nanogpt shard) or text, tokenized with the model folder&apos;s tokenizer. Without a probe file only the weights are measured; the probe loss and the activation metrics (participation ratios, K/V, logits) need one.</source>
        <translation>Token-Datei (.bin: nanoGPT uint16 oder ein modded-nanogpt-Shard) oder Text, tokenisiert mit dem Tokenizer des Modellordners. Ohne Probe-Datei werden nur die Gewichte gemessen; der Probe-Verlust und die Aktivierungsmetriken (Partizipationsverhältnisse, K/V, Logits) brauchen eine.</translation>
    </message>
    <message>
        <source>Probe windows B: window b holds tokens [b·T, (b+1)·T) of the probe</source>
        <translation>Probe-Fenster B: Fenster b enthält die Token [b·T, (b+1)·T) der Probe</translation>
    </message>
    <message>
        <source>Tokens per window T (capped at the model&apos;s context length)</source>
        <translation>Token je Fenster T (höchstens die Kontextlänge des Modells)</translation>
    </message>
    <message>
        <source>Probe &amp;windows (B):</source>
        <translation>Probe-&amp;Fenster (B):</translation>
    </message>
    <message>
        <source>&amp;Tokens per window (T):</source>
        <translation>&amp;Token je Fenster (T):</translation>
    </message>
    <message>
        <source>B&amp;rowse…</source>
        <translation>Durch&amp;suchen…</translation>
    </message>
    <message>
        <source>Run &amp;file:</source>
        <translation>&amp;Lauf-Datei:</translation>
    </message>
    <message>
        <source>&amp;Inspect</source>
        <translation>&amp;Inspizieren</translation>
    </message>
    <message>
        <source>Add checkpoints</source>
        <translation>Checkpoints hinzufügen</translation>
    </message>
    <message>
        <source>Checkpoints (*.pt *.pth *.bin *.safetensors *.json);;All files (*)</source>
        <translation>Checkpoints (*.pt *.pth *.bin *.safetensors *.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Add a checkpoint folder</source>
        <translation>Einen Checkpoint-Ordner hinzufügen</translation>
    </message>
    <message>
        <source>Probe file</source>
        <translation>Probe-Datei</translation>
    </message>
    <message>
        <source>Token files (*.bin);;Text (*.txt);;All files (*)</source>
        <translation>Token-Dateien (*.bin);;Text (*.txt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Run file</source>
        <translation>Lauf-Datei</translation>
    </message>
    <message>
        <source>Run files (*.h5)</source>
        <translation>Lauf-Dateien (*.h5)</translation>
    </message>
    <message>
        <source>Add checkpoint files or folders.</source>
        <translation>Checkpoint-Dateien oder -Ordner hinzufügen.</translation>
    </message>
    <message>
        <source>1 checkpoint</source>
        <translation>1 Checkpoint</translation>
    </message>
    <message>
        <source>%1 checkpoints</source>
        <translation>%1 Checkpoints</translation>
    </message>
    <message>
        <source>no checkpoints</source>
        <translation>keine Checkpoints</translation>
    </message>
    <message>
        <source>The probe file %1 does not exist.</source>
        <translation>Die Probe-Datei %1 existiert nicht.</translation>
    </message>
    <message>
        <source>Choose the run file to write.</source>
        <translation>Die zu schreibende Lauf-Datei wählen.</translation>
    </message>
    <message>
        <source>The run file %1 already exists.</source>
        <translation>Die Lauf-Datei %1 existiert bereits.</translation>
    </message>
</context>
<context>
    <name>ms::InspectProgress</name>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop after the current checkpoint; the run file keeps what was measured</source>
        <translation>Nach dem aktuellen Checkpoint anhalten; die Lauf-Datei behält das bisher Gemessene</translation>
    </message>
    <message>
        <source>Inspecting…</source>
        <translation>Inspektion…</translation>
    </message>
    <message>
        <source>Inspecting %1/%2: %3</source>
        <translation>Inspektion %1/%2: %3</translation>
    </message>
    <message>
        <source>Inspection done</source>
        <translation>Inspektion fertig</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>Restzeit %1</translation>
    </message>
    <message>
        <source>Cancelling: finishing the current checkpoint…</source>
        <translation>Wird abgebrochen: der aktuelle Checkpoint wird beendet…</translation>
    </message>
</context>
<context>
    <name>ms::IsotropyPlot</name>
    <message>
        <source>Metric:</source>
        <translation>Maß:</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>Log. Skala</translation>
    </message>
    <message>
        <source>Matrices</source>
        <translation>Matrizen</translation>
    </message>
    <message>
        <source>eRank (effective rank)</source>
        <translation>eRank (effektiver Rang)</translation>
    </message>
    <message>
        <source>Normalized SVD entropy H</source>
        <translation>Normierte SVD-Entropie H</translation>
    </message>
    <message>
        <source>TopE_10 (energy in top 10 σ²)</source>
        <translation>TopE_10 (Energie in den 10 größten σ²)</translation>
    </message>
    <message>
        <source>Q75/Q25 of σ²</source>
        <translation>Q75/Q25 von σ²</translation>
    </message>
    <message>
        <source>Stable rank</source>
        <translation>Stabiler Rang</translation>
    </message>
    <message>
        <source>No snapshots yet: isotropy metrics appear at the first metrics snapshot.</source>
        <translation>Noch keine Snapshots: Isotropiemaße erscheinen mit dem ersten Snapshot.</translation>
    </message>
    <message>
        <source>Update cosine |⟨u1(D), u1(W)⟩| (D: Muon&apos;s input, else ΔW)</source>
        <translation>Update-Kosinus |⟨u1(D), u1(W)⟩| (D: Muons Eingabe, sonst ΔW)</translation>
    </message>
    <message>
        <source>Update share in W&apos;s top-10 directions (chance 10/rows)</source>
        <translation>Update-Anteil in den Top-10-Richtungen von W (Zufall 10/Zeilen)</translation>
    </message>
    <message>
        <source>Power-law α of the ESD σ² (WeightWatcher)</source>
        <translation>Potenzgesetz-α der ESD σ² (WeightWatcher)</translation>
    </message>
    <message>
        <source>Weighted α = α · log10 λ_max</source>
        <translation>Gewichtetes α = α · log10 λ_max</translation>
    </message>
    <message>
        <source>KS distance of the power-law fit</source>
        <translation>KS-Abstand der Potenzgesetz-Anpassung</translation>
    </message>
    <message>
        <source>Spectral isotropy</source>
        <translation>Spektrale Isotropie</translation>
    </message>
    <message>
        <source>X axis:</source>
        <translation>x-Achse:</translation>
    </message>
    <message>
        <source>mean over layers</source>
        <translation>Mittel über Schichten</translation>
    </message>
    <message>
        <source>layer %1</source>
        <translation>Schicht %1</translation>
    </message>
    <message>
        <source>%1: no snapshots yet</source>
        <translation>%1: noch keine Snapshots</translation>
    </message>
    <message>
        <source>%1: no layer %2</source>
        <translation>%1: keine Schicht %2</translation>
    </message>
    <message>
        <source>%1: no %2</source>
        <translation>%1: %2 fehlt</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>, band = min–max over seeds</source>
        <translation>, Band = Min.–Max. über Startwerte</translation>
    </message>
    <message>
        <source>, band = mean ± sd over seeds</source>
        <translation>, Band = Mittel ± sd über Startwerte</translation>
    </message>
    <message>
        <source>Spectral isotropy (mean over layers, band = min–max over layers)</source>
        <translation>Spektrale Isotropie (Mittel über Schichten, Band = Min.–Max. über Schichten)</translation>
    </message>
    <message>
        <source>Spectral isotropy (mean over layers%1)</source>
        <translation>Spektrale Isotropie (Mittel über Schichten%1)</translation>
    </message>
    <message>
        <source>Spectral isotropy (layer %1%2)</source>
        <translation>Spektrale Isotropie (Schicht %1%2)</translation>
    </message>
    <message>
        <source>Nothing to draw:
</source>
        <translation>Nichts zu zeichnen:
</translation>
    </message>
</context>
<context>
    <name>ms::KVPlot</name>
    <message>
        <source>K pre-RoPE</source>
        <translation>K vor RoPE</translation>
    </message>
    <message>
        <source>K post-RoPE</source>
        <translation>K nach RoPE</translation>
    </message>
    <message>
        <source>V</source>
        <translation>V</translation>
    </message>
    <message>
        <source>K/V cache magnitudes</source>
        <translation>K/V-Cache-Beträge</translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation>Schicht:</translation>
    </message>
    <message>
        <source>Over time:</source>
        <translation>Über die Zeit:</translation>
    </message>
    <message>
        <source>Channel (head × head_dim)</source>
        <translation>Kanal (Kopf × head_dim)</translation>
    </message>
    <message>
        <source>Position</source>
        <translation>Position</translation>
    </message>
    <message>
        <source>Asymmetry (channel / token max/mean)</source>
        <translation>Asymmetrie (Kanal / Token max/mean)</translation>
    </message>
    <message>
        <source>Channel max/mean</source>
        <translation>Kanal max/mean</translation>
    </message>
    <message>
        <source>Channel p99/p50</source>
        <translation>Kanal p99/p50</translation>
    </message>
    <message>
        <source>Channel top-1% mass</source>
        <translation>Kanal Top-1-%-Masse</translation>
    </message>
    <message>
        <source>Token max/mean</source>
        <translation>Token max/mean</translation>
    </message>
    <message>
        <source>Token p99/p50</source>
        <translation>Token p99/p50</translation>
    </message>
    <message>
        <source>Token top-1% mass</source>
        <translation>Token Top-1-%-Masse</translation>
    </message>
    <message>
        <source>No snapshots yet: K/V magnitudes appear at the first metrics snapshot.</source>
        <translation>Noch keine Snapshots: K/V-Beträge erscheinen mit dem ersten Snapshot.</translation>
    </message>
    <message>
        <source>No K/V magnitudes: this snapshot has no activations. The run was measured without a probe batch (checkpoints inspected without a probe file).</source>
        <translation>Keine K/V-Beträge: Dieser Snapshot hat keine Aktivierungen. Der Lauf wurde ohne Probe-Batch gemessen (Checkpoints ohne Probe-Datei untersucht).</translation>
    </message>
    <message>
        <source>K/chan V/tok</source>
        <translation>K/Kanal V/Token</translation>
    </message>
    <message>
        <source>K/tok V/chan</source>
        <translation>K/Token V/Kanal</translation>
    </message>
    <message>
        <source>The profiles need one layer; the curves over training can also show the mean over layers</source>
        <translation>Die Profile brauchen eine Schicht; die Kurven über das Training können auch das Mittel über Schichten zeigen</translation>
    </message>
    <message>
        <source>Also draw the spikiness of K before RoPE over training</source>
        <translation>Auch die Spitzigkeit von K vor RoPE über das Training zeichnen</translation>
    </message>
    <message>
        <source>KIVI:</source>
        <translation>KIVI:</translation>
    </message>
    <message>
        <source>2-bit</source>
        <translation>2 Bit</translation>
    </message>
    <message>
        <source>4-bit</source>
        <translation>4 Bit</translation>
    </message>
    <message>
        <source>x axis of the curves over training</source>
        <translation>x-Achse der Kurven über das Training</translation>
    </message>
    <message>
        <source>KIVI %1</source>
        <translation>KIVI %1</translation>
    </message>
    <message>
        <source>The profiles show one layer:
choose a layer above</source>
        <translation>Die Profile zeigen eine Schicht:
oben eine Schicht wählen</translation>
    </message>
    <message>
        <source> · mean over layers</source>
        <translation> · Mittel über Schichten</translation>
    </message>
    <message>
        <source> · layer %1</source>
        <translation> · Schicht %1</translation>
    </message>
    <message>
        <source>K/V spikiness (K pre- and post-RoPE, V)</source>
        <translation>K/V-Spitzigkeit (K vor und nach RoPE, V)</translation>
    </message>
    <message>
        <source>K/V spikiness (K post-RoPE, V)</source>
        <translation>K/V-Spitzigkeit (K nach RoPE, V)</translation>
    </message>
    <message>
        <source>KIVI quantized-cache loss (%1-bit)</source>
        <translation>KIVI-Verlust mit quantisiertem Cache (%1 Bit)</translation>
    </message>
    <message>
        <source>mean over layers</source>
        <translation>Mittel über Schichten</translation>
    </message>
    <message>
        <source>%1: no snapshots yet</source>
        <translation>%1: noch keine Snapshots</translation>
    </message>
    <message>
        <source>%1: no layer %2 (it has %3)</source>
        <translation>%1: keine Schicht %2 (hat %3)</translation>
    </message>
    <message>
        <source>%1: no K/V magnitudes</source>
        <translation>%1: keine K/V-Beträge</translation>
    </message>
    <message>
        <source>%1: no KIVI losses</source>
        <translation>%1: keine KIVI-Verluste</translation>
    </message>
    <message>
        <source>No runs to show.</source>
        <translation>Keine Läufe anzuzeigen.</translation>
    </message>
    <message>
        <source>%1: no K/V magnitudes at step %2 (measured without a probe batch)</source>
        <translation>%1: keine K/V-Beträge bei Schritt %2 (ohne Probe-Batch gemessen)</translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <source>mean |x|</source>
        <translation>Mittel |x|</translation>
    </message>
    <message>
        <source>chan/tok ratio</source>
        <translation>Kanal/Token</translation>
    </message>
    <message>
        <source>chan max/mean</source>
        <translation>Kanal max/Mittel</translation>
    </message>
    <message>
        <source>chan p99/p50</source>
        <translation>Kanal p99/p50</translation>
    </message>
    <message>
        <source>chan top-1%</source>
        <translation>Kanal Top-1 %</translation>
    </message>
    <message>
        <source>tok max/mean</source>
        <translation>Token max/Mittel</translation>
    </message>
    <message>
        <source>tok p99/p50</source>
        <translation>Token p99/p50</translation>
    </message>
    <message>
        <source>tok top-1%</source>
        <translation>Token Top-1 %</translation>
    </message>
    <message>
        <source>Δ loss, %1-bit</source>
        <translation>Δ Verlust, %1 Bit</translation>
    </message>
</context>
<context>
    <name>ms::LossPlot</name>
    <message>
        <source>Loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <source>X axis:</source>
        <translation>x-Achse:</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>Log. Skala</translation>
    </message>
    <message>
        <source>Smoothing:</source>
        <translation>Glättung:</translation>
    </message>
    <message>
        <source>train (raw)</source>
        <translation>Training (roh)</translation>
    </message>
    <message>
        <source>train (smoothed)</source>
        <translation>Training (geglättet)</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>Validierung</translation>
    </message>
    <message>
        <source>Loss (nats/token)</source>
        <translation>Verlust (nats/Token)</translation>
    </message>
    <message>
        <source>No loss recorded yet.</source>
        <translation>Noch kein Verlust aufgezeichnet.</translation>
    </message>
    <message>
        <source>step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>tokens</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <comment>hover read-out: quantity, value</comment>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>Exponential moving average weight b (debiased), every run</source>
        <translation>Gewicht b des exponentiellen gleitenden Mittels (bias-korrigiert), für jeden Lauf</translation>
    </message>
    <message>
        <source>Raw</source>
        <translation>Roh</translation>
    </message>
    <message>
        <source>Also draw the unsmoothed training loss, faded</source>
        <translation>Auch den ungeglätteten Trainingsverlust blass zeichnen</translation>
    </message>
    <message>
        <source>%1: no loss recorded</source>
        <translation>%1: kein Verlust aufgezeichnet</translation>
    </message>
    <message>
        <source>No loss recorded yet:
</source>
        <translation>Noch kein Verlust aufgezeichnet:
</translation>
    </message>
    <message>
        <source>%1 · train (raw)</source>
        <translation>%1 · Training (roh)</translation>
    </message>
    <message>
        <source>%1 · train</source>
        <translation>%1 · Training</translation>
    </message>
    <message>
        <source>%1 · val</source>
        <translation>%1 · Validierung</translation>
    </message>
    <message>
        <source>train %1 (smoothed %2)</source>
        <translation>Training %1 (geglättet %2)</translation>
    </message>
    <message>
        <source> at %1</source>
        <translation> bei %1</translation>
    </message>
    <message>
        <source>val %1 (at %2)</source>
        <translation>Validierung %1 (bei %2)</translation>
    </message>
</context>
<context>
    <name>ms::MainWindow</name>
    <message>
        <source>&amp;Open Run…</source>
        <translation>Lauf ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open a run file (.h5)</source>
        <translation>Eine Lauf-Datei (.h5) öffnen</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>&amp;Starten</translation>
    </message>
    <message>
        <source>Start a run with the current setup (Ctrl+R)</source>
        <translation>Einen Lauf mit der aktuellen Einrichtung starten (Strg+R)</translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation>&amp;Pausieren</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>S&amp;toppen</translation>
    </message>
    <message>
        <source>Stop the run after the current step (Ctrl+.)</source>
        <translation>Den Lauf nach dem aktuellen Schritt stoppen (Strg+.)</translation>
    </message>
    <message>
        <source>Show &amp;Live Run</source>
        <translation>&amp;Laufendes Training zeigen</translation>
    </message>
    <message>
        <source>Show the run being trained in the views</source>
        <translation>Den gerade trainierten Lauf in den Ansichten zeigen</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Reset Layout</source>
        <translation>Anordnung &amp;zurücksetzen</translation>
    </message>
    <message>
        <source>&amp;About Muonscope</source>
        <translation>Ü&amp;ber Muonscope</translation>
    </message>
    <message>
        <source>About Muonscope</source>
        <translation>Über Muonscope</translation>
    </message>
    <message>
        <source>&lt;b&gt;Muonscope %1&lt;/b&gt;&lt;p&gt;Trains small GPTs and shows what AdamW and Muon do inside: loss, participation ratios, spectra, isotropy, K/V-cache magnitudes and tail-QA accuracy.&lt;/p&gt;</source>
        <translation>&lt;b&gt;Muonscope %1&lt;/b&gt;&lt;p&gt;Trainiert kleine GPTs und zeigt, was AdamW und Muon im Inneren bewirken: Verlust, Partizipationsverhältnisse, Spektren, Isotropie, K/V-Cache-Beträge und Tail-QA-Genauigkeit.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Lauf</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Setup</source>
        <translation>Einrichtung</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <source>Participation ratio</source>
        <translation>Partizipationsverhältnis</translation>
    </message>
    <message>
        <source>Spectra</source>
        <translation>Spektren</translation>
    </message>
    <message>
        <source>Isotropy</source>
        <translation>Isotropie</translation>
    </message>
    <message>
        <source>K/V</source>
        <translation>K/V</translation>
    </message>
    <message>
        <source>Tail QA</source>
        <translation>Tail-QA</translation>
    </message>
    <message>
        <source>First-token accuracy per frequency group (tail-QA data only)</source>
        <translation>Erste-Token-Genauigkeit je Häufigkeitsgruppe (nur mit Tail-QA-Daten)</translation>
    </message>
    <message>
        <source>Cannot start: %1</source>
        <translation>Start nicht möglich: %1</translation>
    </message>
    <message>
        <source>a run is already in progress</source>
        <translation>es läuft bereits ein Lauf</translation>
    </message>
    <message>
        <source>Training into %1</source>
        <translation>Training schreibt nach %1</translation>
    </message>
    <message>
        <source>Cannot open %1</source>
        <translation>%1 kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Cannot open run</source>
        <translation>Lauf kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>Cannot open %1:
%2</source>
        <translation>%1 kann nicht geöffnet werden:
%2</translation>
    </message>
    <message>
        <source>Open run</source>
        <translation>Lauf öffnen</translation>
    </message>
    <message>
        <source>Run files (*.h5 *.hdf5);;All files (*)</source>
        <translation>Lauf-Dateien (*.h5 *.hdf5);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>The language changes when Muonscope starts next time.</source>
        <translation>Die Sprache wechselt beim nächsten Start von Muonscope.</translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation>&amp;Fortsetzen</translation>
    </message>
    <message>
        <source>Resume the run (Space or Ctrl+P)</source>
        <translation>Den Lauf fortsetzen (Leertaste oder Strg+P)</translation>
    </message>
    <message>
        <source>Pause the run (Space or Ctrl+P)</source>
        <translation>Den Lauf pausieren (Leertaste oder Strg+P)</translation>
    </message>
    <message>
        <source> (following)</source>
        <translation> (wird verfolgt)</translation>
    </message>
    <message>
        <source> (training)</source>
        <translation> (trainiert)</translation>
    </message>
    <message>
        <source>Muonscope</source>
        <translation>Muonscope</translation>
    </message>
    <message>
        <source>%1 — Muonscope</source>
        <translation>%1 — Muonscope</translation>
    </message>
    <message>
        <source>Preparing…</source>
        <translation>Vorbereitung…</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Pausiert</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Wird gestoppt…</translation>
    </message>
    <message>
        <source>Run finished: %1</source>
        <translation>Lauf beendet: %1</translation>
    </message>
    <message>
        <source>Run stopped: %1</source>
        <translation>Lauf gestoppt: %1</translation>
    </message>
    <message>
        <source>The run file keeps everything recorded so far:
%1</source>
        <translation>Die Lauf-Datei behält alles bisher Aufgezeichnete:
%1</translation>
    </message>
    <message>
        <source>No run file was written.</source>
        <translation>Es wurde keine Lauf-Datei geschrieben.</translation>
    </message>
    <message>
        <source>Run failed: %1</source>
        <translation>Lauf fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Run failed</source>
        <translation>Lauf fehlgeschlagen</translation>
    </message>
    <message>
        <source>The run failed:
%1

%2</source>
        <translation>Der Lauf ist fehlgeschlagen:
%1

%2</translation>
    </message>
    <message>
        <source>Stop the run?</source>
        <translation>Lauf stoppen?</translation>
    </message>
    <message>
        <source>A run is in progress. Stop it and close Muonscope?
The run file keeps everything recorded so far.</source>
        <translation>Ein Lauf ist im Gange. Ihn stoppen und Muonscope schließen?
Die Lauf-Datei behält alles bisher Aufgezeichnete.</translation>
    </message>
    <message>
        <source>Stopping the run: finishing the current step…</source>
        <translation>Lauf wird gestoppt: der aktuelle Schritt wird beendet…</translation>
    </message>
    <message>
        <source>Still stopping</source>
        <translation>Wird noch gestoppt</translation>
    </message>
    <message>
        <source>The run has not stopped yet: its current step is still computing. Muonscope closes as soon as the step ends and the run file is finalized.</source>
        <translation>Der Lauf hat noch nicht angehalten: sein aktueller Schritt wird noch berechnet. Muonscope schließt, sobald der Schritt endet und die Lauf-Datei abgeschlossen ist.</translation>
    </message>
    <message>
        <source>&amp;Compare Selected Runs</source>
        <translation>Ausgewählte Läufe &amp;vergleichen</translation>
    </message>
    <message>
        <source>Compare the runs ticked or selected in the run browser (Ctrl+K)</source>
        <translation>Die in der Laufübersicht angehakten oder ausgewählten Läufe vergleichen (Strg+K)</translation>
    </message>
    <message>
        <source>Open &amp;Study…</source>
        <translation>&amp;Studie öffnen…</translation>
    </message>
    <message>
        <source>Open a study index (study.json) as a comparison</source>
        <translation>Einen Studienindex (study.json) als Vergleich öffnen</translation>
    </message>
    <message>
        <source>Cannot compare</source>
        <translation>Vergleich nicht möglich</translation>
    </message>
    <message>
        <source>Open Study</source>
        <translation>Studie öffnen</translation>
    </message>
    <message>
        <source>Study index (study.json *.json)</source>
        <translation>Studienindex (study.json *.json)</translation>
    </message>
    <message>
        <source>Cannot open study</source>
        <translation>Studie kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>&amp;Studies</source>
        <translation>&amp;Studien</translation>
    </message>
    <message>
        <source>&amp;Run Study…</source>
        <translation>Studie &amp;ausführen…</translation>
    </message>
    <message>
        <source>Run study</source>
        <translation>Studie ausführen</translation>
    </message>
    <message>
        <source>S&amp;top Study</source>
        <translation>Studie s&amp;toppen</translation>
    </message>
    <message>
        <source>&amp;Associative Memory…</source>
        <translation>&amp;Assoziativspeicher…</translation>
    </message>
    <message>
        <source>Associative memory: GD vs SignGD vs Muon</source>
        <translation>Assoziativspeicher: GD vs. SignGD vs. Muon</translation>
    </message>
    <message>
        <source>Study %1: run %2/%3 — %4</source>
        <translation>Studie %1: Lauf %2/%3 — %4</translation>
    </message>
    <message>
        <source>Study %1% · ETA %2</source>
        <translation>Studie %1% · Restzeit %2</translation>
    </message>
    <message>
        <source>Study finished: %1</source>
        <translation>Studie beendet: %1</translation>
    </message>
    <message>
        <source>Study ended early: %1</source>
        <translation>Studie vorzeitig beendet: %1</translation>
    </message>
    <message>
        <source>Study</source>
        <translation>Studie</translation>
    </message>
    <message>
        <source>a study is in progress</source>
        <translation>eine Studie läuft</translation>
    </message>
    <message>
        <source>&amp;Inspect Checkpoints…</source>
        <translation>Checkpoints &amp;inspizieren…</translation>
    </message>
    <message>
        <source>Measure checkpoints trained elsewhere into a run file (Ctrl+I; or drop them here)</source>
        <translation>Anderswo trainierte Checkpoints in eine Lauf-Datei messen (Strg+I; oder hierher ziehen)</translation>
    </message>
    <message>
        <source>Inspect warning: %1</source>
        <translation>Inspektion, Warnung: %1</translation>
    </message>
    <message>
        <source>Cannot inspect</source>
        <translation>Inspektion nicht möglich</translation>
    </message>
    <message>
        <source>Cannot inspect: %1</source>
        <translation>Inspektion nicht möglich: %1</translation>
    </message>
    <message>
        <source>a run is in progress</source>
        <translation>ein Lauf ist im Gange</translation>
    </message>
    <message>
        <source>Inspecting into %1</source>
        <translation>Inspektion schreibt nach %1</translation>
    </message>
    <message>
        <source>Inspection failed: %1</source>
        <translation>Inspektion fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>The run file keeps the %1 checkpoint(s) measured before the error:
%2</source>
        <translation>Die Lauf-Datei behält die %1 vor dem Fehler gemessenen Checkpoints:
%2</translation>
    </message>
    <message>
        <source>Inspection failed</source>
        <translation>Inspektion fehlgeschlagen</translation>
    </message>
    <message>
        <source>The inspection failed:
%1</source>
        <translation>Die Inspektion ist fehlgeschlagen:
%1</translation>
    </message>
    <message>
        <source>Inspection finished: %1 (%2 snapshots)</source>
        <translation>Inspektion beendet: %1 (%2 Snapshots)</translation>
    </message>
    <message>
        <source>Inspection cancelled: %1 keeps %2 snapshots</source>
        <translation>Inspektion abgebrochen: %1 behält %2 Snapshots</translation>
    </message>
    <message>
        <source>an inspection is in progress</source>
        <translation>eine Inspektion läuft</translation>
    </message>
    <message>
        <source> — %1 warning(s), hover here to read them</source>
        <translation> — %1 Warnung(en), zum Lesen mit der Maus hierher zeigen</translation>
    </message>
    <message>
        <source>Stopped following %1: %2</source>
        <translation>Verfolgung von %1 beendet: %2</translation>
    </message>
    <message>
        <source>Run folder</source>
        <translation>Lauf-Ordner</translation>
    </message>
    <message>
        <source>Shown runs</source>
        <translation>Angezeigte Läufe</translation>
    </message>
    <message>
        <source>Checked runs are drawn in every view</source>
        <translation>Angehakte Läufe werden in jeder Ansicht gezeichnet</translation>
    </message>
    <message>
        <source>Metrics</source>
        <translation>Metriken</translation>
    </message>
    <message>
        <source>Final metrics of every shown run, a row each (Ctrl+C copies)</source>
        <translation>Endwerte jedes angezeigten Laufs, je eine Zeile (Strg+C kopiert)</translation>
    </message>
    <message>
        <source>nothing to compare</source>
        <translation>nichts zu vergleichen</translation>
    </message>
    <message>
        <source>Skipped: %1</source>
        <translation>Übersprungen: %1</translation>
    </message>
    <message numerus="yes">
        <source> + %n more run(s)</source>
        <translation>
            <numerusform> + %n weiterer Lauf</numerusform>
            <numerusform> + %n weitere Läufe</numerusform>
        </translation>
    </message>
    <message>
        <source>Export &amp;Report…</source>
        <translation>&amp;Bericht exportieren…</translation>
    </message>
    <message>
        <source>Write the shown runs&apos; figures as a PDF and a folder of PNGs with a Markdown index</source>
        <translation>Die Abbildungen der gezeigten Läufe als PDF und als Ordner mit PNGs und einem Markdown-Index schreiben</translation>
    </message>
    <message>
        <source>Export report into</source>
        <translation>Bericht exportieren nach</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>Bericht exportieren</translation>
    </message>
    <message>
        <source>no run is shown: check the runs to report in the run table</source>
        <translation>kein Lauf wird gezeigt: die Läufe für den Bericht in der Lauftabelle ankreuzen</translation>
    </message>
    <message>
        <source>Muonscope comparison: %1</source>
        <translation>Muonscope-Vergleich: %1</translation>
    </message>
    <message>
        <source>Report written: %1 (%2 files)</source>
        <translation>Bericht geschrieben: %1 (%2 Dateien)</translation>
    </message>
    <message>
        <source>Res&amp;ume Training</source>
        <translation>Training &amp;wieder aufnehmen</translation>
    </message>
    <message>
        <source>Cannot resume</source>
        <translation>Fortsetzen nicht möglich</translation>
    </message>
    <message>
        <source>A training is in progress: another run can be resumed once it has ended.</source>
        <translation>Ein Training läuft: Ein anderer Lauf kann erst danach fortgesetzt werden.</translation>
    </message>
    <message>
        <source>A study is in progress.</source>
        <translation>Eine Studie läuft.</translation>
    </message>
    <message>
        <source>An inspection is in progress.</source>
        <translation>Eine Inspektion läuft.</translation>
    </message>
    <message>
        <source>Select an interrupted, stopped or failed run in Shown runs to continue it from its newest checkpoint (Ctrl+Shift+R).</source>
        <translation>Einen abgebrochenen, gestoppten oder fehlgeschlagenen Lauf in „Angezeigte Läufe“ auswählen, um ihn ab seinem neuesten Checkpoint fortzusetzen (Strg+Umschalt+R).</translation>
    </message>
    <message>
        <source>%1 is being written by a running training.</source>
        <translation>%1 wird gerade von einem laufenden Training geschrieben.</translation>
    </message>
    <message>
        <source>%1 finished all %2 steps: there is nothing to resume.</source>
        <translation>%1 hat alle %2 Schritte beendet: Es gibt nichts fortzusetzen.</translation>
    </message>
    <message>
        <source>%1 holds inspected checkpoints, not a training run.</source>
        <translation>%1 enthält inspizierte Checkpoints, keinen Trainingslauf.</translation>
    </message>
    <message>
        <source>%1 has no checkpoint to resume from: it was trained with train.checkpoint_every = 0.</source>
        <translation>%1 hat keinen Checkpoint zum Fortsetzen: Der Lauf wurde mit train.checkpoint_every = 0 trainiert.</translation>
    </message>
    <message>
        <source>%1 has no checkpoint to resume from: %2 holds none with a training state.</source>
        <translation>%1 hat keinen Checkpoint zum Fortsetzen: %2 enthält keinen mit Trainingszustand.</translation>
    </message>
    <message>
        <source>Continue %1 from its checkpoint at step %2 of %3 (Ctrl+Shift+R)</source>
        <translation>%1 ab dem Checkpoint bei Schritt %2 von %3 fortsetzen (Strg+Umschalt+R)</translation>
    </message>
    <message>
        <source>Cannot resume: %1</source>
        <translation>Fortsetzen nicht möglich: %1</translation>
    </message>
    <message>
        <source>Resuming %1: loading its newest checkpoint…</source>
        <translation>%1 wird fortgesetzt: Der neueste Checkpoint wird geladen…</translation>
    </message>
    <message>
        <source>Resumed %1 after step %2</source>
        <translation>%1 nach Schritt %2 fortgesetzt</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>%1 kann nicht geöffnet werden: %2</translation>
    </message>
    <message>
        <source>Cannot resume %1:
%2

The run file was not changed.</source>
        <translation>%1 kann nicht fortgesetzt werden:
%2

Die Lauf-Datei wurde nicht verändert.</translation>
    </message>
    <message>
        <source>Cannot resume %1: the run file was not changed</source>
        <translation>%1 kann nicht fortgesetzt werden: Die Lauf-Datei wurde nicht verändert</translation>
    </message>
</context>
<context>
    <name>ms::MetricsTable</name>
    <message>
        <source>Run, named by what differs in its config</source>
        <translation>Lauf, benannt nach dem, was sich in seiner Konfiguration unterscheidet</translation>
    </message>
    <message>
        <source>Last optimizer step recorded</source>
        <translation>Letzter aufgezeichneter Optimiererschritt</translation>
    </message>
    <message>
        <source>Validation loss of the last validation row</source>
        <translation>Validierungsverlust der letzten Validierungszeile</translation>
    </message>
    <message>
        <source>Lowest validation loss</source>
        <translation>Niedrigster Validierungsverlust</translation>
    </message>
    <message>
        <source>Training loss averaged over the last 10% of steps</source>
        <translation>Trainingsverlust gemittelt über die letzten 10 % der Schritte</translation>
    </message>
    <message>
        <source>PR_sv of k (post-RoPE), mean over layers and heads, last snapshot</source>
        <translation>PR_sv von k (nach RoPE), Mittel über Schichten und Köpfe, letzter Snapshot</translation>
    </message>
    <message>
        <source>Effective rank of W_VO = W_o W_v (sum over heads), mean over layers, last snapshot</source>
        <translation>Effektiver Rang von W_VO = W_o W_v (Summe über Köpfe), Mittel über Schichten, letzter Snapshot</translation>
    </message>
    <message>
        <source>Effective rank of the FFN output matrix, mean over layers, last snapshot</source>
        <translation>Effektiver Rang der FFN-Ausgangsmatrix, Mittel über Schichten, letzter Snapshot</translation>
    </message>
    <message>
        <source>K (post-RoPE) channel/token max-mean ratio, mean over layers, last snapshot</source>
        <translation>Verhältnis max/mean Kanal/Token von K (nach RoPE), Mittel über Schichten, letzter Snapshot</translation>
    </message>
    <message>
        <source>V channel/token max-mean ratio, mean over layers, last snapshot</source>
        <translation>Verhältnis max/mean Kanal/Token von V, Mittel über Schichten, letzter Snapshot</translation>
    </message>
    <message>
        <source>First-token accuracy of the rarest group, last snapshot with FTA</source>
        <translation>Erste-Token-Genauigkeit der seltensten Gruppe, letzter Snapshot mit FTA</translation>
    </message>
    <message>
        <source>Copy (TSV)</source>
        <translation>Kopieren (TSV)</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>Final val loss</source>
        <translation>Val.-Verlust (Ende)</translation>
    </message>
    <message>
        <source>Best val loss</source>
        <translation>Bester Val.-Verlust</translation>
    </message>
    <message>
        <source>Train loss (last 10%)</source>
        <translation>Trainingsverlust (letzte 10 %)</translation>
    </message>
    <message>
        <source>Mean PR_sv(k)</source>
        <translation>Mittleres PR_sv(k)</translation>
    </message>
    <message>
        <source>eRank VO (sum over heads)</source>
        <translation>eRank VO (Summe über Köpfe)</translation>
    </message>
    <message>
        <source>eRank W_out</source>
        <translation>eRank W_out</translation>
    </message>
    <message>
        <source>K asymmetry</source>
        <translation>K-Asymmetrie</translation>
    </message>
    <message>
        <source>V asymmetry</source>
        <translation>V-Asymmetrie</translation>
    </message>
    <message>
        <source>Tail FTA</source>
        <translation>Schwanz-FTA</translation>
    </message>
    <message>
        <source>run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <source>Final metrics</source>
        <translation>Endwerte</translation>
    </message>
</context>
<context>
    <name>ms::PRHeatmap</name>
    <message>
        <source>Participation ratio per layer and head</source>
        <translation>Partizipationsverhältnis je Schicht und Kopf</translation>
    </message>
    <message>
        <source>Tensor:</source>
        <translation>Tensor:</translation>
    </message>
    <message>
        <source>q</source>
        <translation>q</translation>
    </message>
    <message>
        <source>k (post-RoPE)</source>
        <translation>k (nach RoPE)</translation>
    </message>
    <message>
        <source>v</source>
        <translation>v</translation>
    </message>
    <message>
        <source>head output</source>
        <translation>Kopfausgabe</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>Maß:</translation>
    </message>
    <message>
        <source>PR_sv (singular values)</source>
        <translation>PR_sv (Singulärwerte)</translation>
    </message>
    <message>
        <source>PR_cov (covariance)</source>
        <translation>PR_cov (Kovarianz)</translation>
    </message>
    <message>
        <source>PR_sv = (Σσ)² / Σσ² of the uncentered activations; PR_cov = (Σλ)² / Σλ² of the covariance eigenvalues. Both lie in [1, head_dim].</source>
        <translation>PR_sv = (Σσ)² / Σσ² der unzentrierten Aktivierungen; PR_cov = (Σλ)² / Σλ² der Kovarianz-Eigenwerte. Beide liegen in [1, head_dim].</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>Head</source>
        <translation>Kopf</translation>
    </message>
    <message>
        <source>Step (snapshot)</source>
        <translation>Schritt (Snapshot)</translation>
    </message>
    <message>
        <source>layers x time (mean over heads)</source>
        <translation>Schichten x Zeit (Mittel über Köpfe)</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>No snapshots yet: the participation ratio appears at the first metrics snapshot.</source>
        <translation>Noch keine Snapshots: das Partizipationsverhältnis erscheint mit dem ersten Snapshot.</translation>
    </message>
    <message>
        <source> (collapsed)</source>
        <translation> (kollabiert)</translation>
    </message>
    <message>
        <source>No participation ratios: this snapshot has no activations. The run was measured without a probe batch (checkpoints inspected without a probe file); its weight metrics are in the spectra and isotropy views.</source>
        <translation>Keine Participation Ratios: Dieser Snapshot hat keine Aktivierungen. Der Lauf wurde ohne Probe-Batch gemessen (Checkpoints ohne Probe-Datei untersucht); seine Gewichtsmetriken stehen in den Spektrum- und Isotropie-Ansichten.</translation>
    </message>
    <message>
        <source>Colours:</source>
        <translation>Farben:</translation>
    </message>
    <message>
        <source>Fit to data</source>
        <translation>An Daten anpassen</translation>
    </message>
    <message>
        <source>Fixed [1, head_dim]</source>
        <translation>Fest [1, head_dim]</translation>
    </message>
    <message>
        <source>One colour scale for every run: the range of the values shown, or the whole range [1, head_dim] of the PR (the largest head_dim of the runs)</source>
        <translation>Eine Farbskala für alle Läufe: der Bereich der angezeigten Werte oder der ganze Bereich [1, head_dim] des PR (das größte head_dim der Läufe)</translation>
    </message>
    <message>
        <source>Difference:</source>
        <translation>Differenz:</translation>
    </message>
    <message>
        <source>−</source>
        <translation>−</translation>
    </message>
    <message>
        <source>The difference needs two runs.</source>
        <translation>Die Differenz braucht zwei Läufe.</translation>
    </message>
    <message>
        <source>Choose two different runs for the difference.</source>
        <translation>Zwei verschiedene Läufe für die Differenz wählen.</translation>
    </message>
    <message>
        <source>A run of the difference is gone.</source>
        <translation>Ein Lauf der Differenz ist nicht mehr da.</translation>
    </message>
    <message>
        <source>%1 has no snapshots yet.</source>
        <translation>%1 hat noch keine Snapshots.</translation>
    </message>
    <message>
        <source>Runs with different shapes cannot be subtracted: %1 has %2 layers × %3 heads, %4 has %5 × %6.</source>
        <translation>Läufe verschiedener Form lassen sich nicht subtrahieren: %1 hat %2 Schichten × %3 Köpfe, %4 hat %5 × %6.</translation>
    </message>
    <message>
        <source>layers × time (mean over heads)</source>
        <translation>Schichten × Zeit (Mittel über Köpfe)</translation>
    </message>
    <message>
        <source>difference</source>
        <translation>Differenz</translation>
    </message>
    <message>
        <source>%1
(gone)</source>
        <translation>%1
(nicht mehr da)</translation>
    </message>
    <message>
        <source>%1
no snapshots yet</source>
        <translation>%1
noch keine Snapshots</translation>
    </message>
    <message>
        <source>%1
step %2</source>
        <translation>%1
Schritt %2</translation>
    </message>
    <message>
        <source>: no activations</source>
        <translation>: keine Aktivierungen</translation>
    </message>
    <message>
        <source>%1, range [1, %2]</source>
        <translation>%1, Bereich [1, %2]</translation>
    </message>
    <message>
        <source>%1, range [%2, %3]</source>
        <translation>%1, Bereich [%2, %3]</translation>
    </message>
    <message>
        <source>%1 − %2
step %3</source>
        <translation>%1 − %2
Schritt %3</translation>
    </message>
    <message>
        <source>%1 (step %2) −
%3 (step %4)</source>
        <translation>%1 (Schritt %2) −
%3 (Schritt %4)</translation>
    </message>
    <message>
        <source>Δ %1 (B − A)</source>
        <translation>Δ %1 (B − A)</translation>
    </message>
    <message>
        <source>No runs to show.</source>
        <translation>Keine Läufe anzuzeigen.</translation>
    </message>
    <message>
        <source>%1 (step %2) · layer %3, head %4: %5 = %6</source>
        <translation>%1 (Schritt %2) · Schicht %3, Kopf %4: %5 = %6</translation>
    </message>
    <message>
        <source>%1 − %2 · layer %3, head %4: Δ %5 = %6</source>
        <translation>%1 − %2 · Schicht %3, Kopf %4: Δ %5 = %6</translation>
    </message>
    <message>
        <source>%1 · layer %2, step %3: mean %4 over heads = %5</source>
        <translation>%1 · Schicht %2, Schritt %3: Mittel von %4 über Köpfe = %5</translation>
    </message>
    <message>
        <source>%1 − %2</source>
        <translation>%1 − %2</translation>
    </message>
</context>
<context>
    <name>ms::PlotBase</name>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>Export image…</source>
        <translation>Bild exportieren…</translation>
    </message>
    <message>
        <source>Export data (CSV)…</source>
        <translation>Daten exportieren (CSV)…</translation>
    </message>
    <message>
        <source>Reset view</source>
        <translation>Ansicht zurücksetzen</translation>
    </message>
    <message>
        <source>Box zoom mode</source>
        <translation>Rechteck-Zoom</translation>
    </message>
    <message>
        <source>Drag to zoom into a rectangle (Shift+drag does this in any mode)</source>
        <translation>Ziehen zoomt in ein Rechteck (Umschalt+Ziehen tut das in jedem Modus)</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG-Bild (*.png)</translation>
    </message>
    <message>
        <source>SVG image (*.svg)</source>
        <translation>SVG-Bild (*.svg)</translation>
    </message>
    <message>
        <source>PDF document (*.pdf)</source>
        <translation>PDF-Dokument (*.pdf)</translation>
    </message>
    <message>
        <source>Export image</source>
        <translation>Bild exportieren</translation>
    </message>
    <message>
        <source>Export data (CSV)</source>
        <translation>Daten exportieren (CSV)</translation>
    </message>
    <message>
        <source>CSV file (*.csv)</source>
        <translation>CSV-Datei (*.csv)</translation>
    </message>
    <message>
        <source>Export data</source>
        <translation>Daten exportieren</translation>
    </message>
    <message>
        <source>Exported by Muonscope</source>
        <translation>Exportiert von Muonscope</translation>
    </message>
    <message>
        <source>run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <source>Tokens</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>Wall time (s)</source>
        <translation>Laufzeit (s)</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>Wall time</source>
        <translation>Laufzeit</translation>
    </message>
</context>
<context>
    <name>ms::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Where new runs are written and where the run browser looks</source>
        <translation>Wohin neue Läufe geschrieben werden und wo die Laufliste sucht</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Run folder:</source>
        <translation>Lauf-Ordner:</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automatisch</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA GPU</source>
        <translation>CUDA-GPU</translation>
    </message>
    <message>
        <source>Default device:</source>
        <translation>Standardgerät:</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>The new language applies when Muonscope starts next time.</source>
        <translation>Die neue Sprache gilt ab dem nächsten Start von Muonscope.</translation>
    </message>
    <message>
        <source>Colours follow the system theme (light or dark).</source>
        <translation>Die Farben folgen dem Systemdesign (hell oder dunkel).</translation>
    </message>
    <message>
        <source>Theme:</source>
        <translation>Design:</translation>
    </message>
    <message>
        <source>Choose the run folder</source>
        <translation>Lauf-Ordner wählen</translation>
    </message>
    <message>
        <source>Minimum to maximum</source>
        <translation>Minimum bis Maximum</translation>
    </message>
    <message>
        <source>Mean ± standard deviation</source>
        <translation>Mittelwert ± Standardabweichung</translation>
    </message>
    <message>
        <source>The band drawn around a seed group&apos;s mean curve (runs that differ only in train.seed)</source>
        <translation>Das Band um die Mittelwertkurve einer Startwert-Gruppe (Läufe, die sich nur in train.seed unterscheiden)</translation>
    </message>
    <message>
        <source>Seed band:</source>
        <translation>Startwert-Band:</translation>
    </message>
</context>
<context>
    <name>ms::RunBrowser</name>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>beendet</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>gestoppt</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Aktualisieren</translation>
    </message>
    <message>
        <source>Read the run folder again</source>
        <translation>Den Lauf-Ordner neu einlesen</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Preset</source>
        <translation>Vorlage</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <source>Val loss</source>
        <translation>Val.-Verlust</translation>
    </message>
    <message>
        <source>Modified</source>
        <translation>Geändert</translation>
    </message>
    <message>
        <source>Double-click a run to open it. Tick runs to select them for comparison.</source>
        <translation>Doppelklick öffnet einen Lauf. Angehakte Läufe werden für den Vergleich ausgewählt.</translation>
    </message>
    <message>
        <source>%1
Cannot read this file: %2</source>
        <translation>%1
Diese Datei kann nicht gelesen werden: %2</translation>
    </message>
    <message>
        <source>unreadable</source>
        <translation>unlesbar</translation>
    </message>
    <message>
        <source>training</source>
        <translation>trainiert</translation>
    </message>
</context>
<context>
    <name>ms::RunSet</name>
    <message>
        <source>cannot read %1</source>
        <translation>%1 kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>no member of %1 could be opened</source>
        <translation>kein Lauf aus %1 ließ sich öffnen</translation>
    </message>
    <message numerus="yes">
        <source>%n seeds</source>
        <translation>
            <numerusform>%n Startwert</numerusform>
            <numerusform>%n Startwerte</numerusform>
        </translation>
    </message>
    <message>
        <source>live</source>
        <translation>live</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>bereit</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>live run</source>
        <translation>Live-Lauf</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n seeds)</source>
        <translation>
            <numerusform>%1 (%n Startwert)</numerusform>
            <numerusform>%1 (%n Startwerte)</numerusform>
        </translation>
    </message>
    <message>
        <source>%1, seed %2</source>
        <translation>%1, Startwert %2</translation>
    </message>
</context>
<context>
    <name>ms::RunTable</name>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Differs: %1</source>
        <translation>Unterscheidet sich: %1</translation>
    </message>
    <message>
        <source>Show only this run</source>
        <translation>Nur diesen Lauf zeigen</translation>
    </message>
    <message>
        <source>Show config…</source>
        <translation>Konfiguration zeigen…</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>Alle zeigen</translation>
    </message>
    <message>
        <source>Show none</source>
        <translation>Keinen zeigen</translation>
    </message>
    <message>
        <source>Remove from list</source>
        <translation>Aus der Liste entfernen</translation>
    </message>
    <message>
        <source>Config of %1</source>
        <translation>Konfiguration von %1</translation>
    </message>
    <message numerus="yes">
        <source>Trained by %n processes (data-parallel)</source>
        <translation>
            <numerusform>Von %n Prozess trainiert (datenparallel)</numerusform>
            <numerusform>Von %n Prozessen trainiert (datenparallel)</numerusform>
        </translation>
    </message>
    <message>
        <source>Resumed after step %1</source>
        <translation>Fortgesetzt nach Schritt %1</translation>
    </message>
</context>
<context>
    <name>ms::SetupPanel</name>
    <message>
        <source>Preset</source>
        <translation>Vorlage</translation>
    </message>
    <message>
        <source>Start from a preset of the engine; the fields below modify it.</source>
        <translation>Mit einer Vorlage der Engine beginnen; die Felder unten ändern sie ab.</translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation>Vorlage:</translation>
    </message>
    <message>
        <source>Free label of the run; it also starts the run file&apos;s name.</source>
        <translation>Freie Bezeichnung des Laufs; sie bildet auch den Anfang des Dateinamens.</translation>
    </message>
    <message>
        <source>Run name:</source>
        <translation>Laufname:</translation>
    </message>
    <message>
        <source>Run name</source>
        <translation>Laufname</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>RMSNorm on q and k per head</source>
        <translation>RMSNorm auf q und k je Kopf</translation>
    </message>
    <message>
        <source>GELU (W_in, W_out)</source>
        <translation>GELU (W_in, W_out)</translation>
    </message>
    <message>
        <source>SwiGLU, gated (W_in, W_gate, W_out)</source>
        <translation>SwiGLU, gesteuert (W_in, W_gate, W_out)</translation>
    </message>
    <message>
        <source>Number of transformer blocks</source>
        <translation>Anzahl der Transformer-Blöcke</translation>
    </message>
    <message>
        <source>Residual width; head_dim = d_model / heads</source>
        <translation>Residualbreite; head_dim = d_model / Köpfe</translation>
    </message>
    <message>
        <source>Attention heads per layer; must divide d_model</source>
        <translation>Attention-Köpfe je Schicht; muss d_model teilen</translation>
    </message>
    <message>
        <source>Context length in tokens</source>
        <translation>Kontextlänge in Token</translation>
    </message>
    <message>
        <source>QK-norm: RMSNorm over head_dim on q and k, before RoPE</source>
        <translation>QK-Norm: RMSNorm über head_dim auf q und k, vor RoPE</translation>
    </message>
    <message>
        <source>Feed-forward kind</source>
        <translation>Art des Feed-Forward-Netzes</translation>
    </message>
    <message>
        <source>Layers:</source>
        <translation>Schichten:</translation>
    </message>
    <message>
        <source>d_model:</source>
        <translation>d_model:</translation>
    </message>
    <message>
        <source>Heads:</source>
        <translation>Köpfe:</translation>
    </message>
    <message>
        <source>Sequence length:</source>
        <translation>Sequenzlänge:</translation>
    </message>
    <message>
        <source>QK-norm:</source>
        <translation>QK-Norm:</translation>
    </message>
    <message>
        <source>FFN:</source>
        <translation>FFN:</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>Schichten</translation>
    </message>
    <message>
        <source>d_model</source>
        <translation>d_model</translation>
    </message>
    <message>
        <source>Heads</source>
        <translation>Köpfe</translation>
    </message>
    <message>
        <source>Sequence length</source>
        <translation>Sequenzlänge</translation>
    </message>
    <message>
        <source>QK-norm</source>
        <translation>QK-Norm</translation>
    </message>
    <message>
        <source>FFN</source>
        <translation>FFN</translation>
    </message>
    <message>
        <source>Optimizers</source>
        <translation>Optimierer</translation>
    </message>
    <message>
        <source>AdamW</source>
        <translation>AdamW</translation>
    </message>
    <message>
        <source>SGD with momentum</source>
        <translation>SGD mit Momentum</translation>
    </message>
    <message>
        <source>Optimizer of everything not on Muon: embeddings, head, norms and the matrices below that are not set to Muon</source>
        <translation>Optimierer für alles, was nicht auf Muon liegt: Embeddings, Ausgabekopf, Normen und die Matrizen unten, die nicht auf Muon stehen</translation>
    </message>
    <message>
        <source>Base optimizer:</source>
        <translation>Basis-Optimierer:</translation>
    </message>
    <message>
        <source>Base optimizer</source>
        <translation>Basis-Optimierer</translation>
    </message>
    <message>
        <source>Optimizer of each block matrix</source>
        <translation>Optimierer jeder Blockmatrix</translation>
    </message>
    <message>
        <source>Muon</source>
        <translation>Muon</translation>
    </message>
    <message>
        <source>Optimizer of %1 in every block</source>
        <translation>Optimierer von %1 in jedem Block</translation>
    </message>
    <message>
        <source>Block matrices:</source>
        <translation>Blockmatrizen:</translation>
    </message>
    <message>
        <source>Optimizer routing</source>
        <translation>Optimierer-Zuordnung</translation>
    </message>
    <message>
        <source>All AdamW</source>
        <translation>Alle AdamW</translation>
    </message>
    <message>
        <source>All Muon</source>
        <translation>Alle Muon</translation>
    </message>
    <message>
        <source>Muon on VO+FFN</source>
        <translation>Muon auf VO+FFN</translation>
    </message>
    <message>
        <source>Every block matrix on the base optimizer</source>
        <translation>Jede Blockmatrix auf dem Basis-Optimierer</translation>
    </message>
    <message>
        <source>Every block matrix on Muon</source>
        <translation>Jede Blockmatrix auf Muon</translation>
    </message>
    <message>
        <source>Muon on V, O and the FFN matrices; Q and K on the base optimizer</source>
        <translation>Muon auf V, O und den FFN-Matrizen; Q und K auf dem Basis-Optimierer</translation>
    </message>
    <message>
        <source>Peak learning rate of the base optimizer, e.g. 3e-3</source>
        <translation>Maximale Lernrate des Basis-Optimierers, z. B. 3e-3</translation>
    </message>
    <message>
        <source>Peak learning rate of Muon, e.g. 0.02</source>
        <translation>Maximale Lernrate von Muon, z. B. 0.02</translation>
    </message>
    <message>
        <source>Learning rate (base):</source>
        <translation>Lernrate (Basis):</translation>
    </message>
    <message>
        <source>Learning rate (Muon):</source>
        <translation>Lernrate (Muon):</translation>
    </message>
    <message>
        <source>Learning rate (base)</source>
        <translation>Lernrate (Basis)</translation>
    </message>
    <message>
        <source>Learning rate (Muon)</source>
        <translation>Lernrate (Muon)</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Optimizer steps</source>
        <translation>Optimiererschritte</translation>
    </message>
    <message>
        <source>Sequences per step</source>
        <translation>Sequenzen je Schritt</translation>
    </message>
    <message>
        <source>Seed of the initialization, the batches and the generated data</source>
        <translation>Startwert für Initialisierung, Batches und erzeugte Daten</translation>
    </message>
    <message>
        <source>A snapshot (spectra, participation ratios, K/V magnitudes) every N steps and at the last step</source>
        <translation>Ein Snapshot (Spektren, Partizipationsverhältnisse, K/V-Beträge) alle N Schritte und beim letzten Schritt</translation>
    </message>
    <message>
        <source>Steps:</source>
        <translation>Schritte:</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Batchgröße:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Startwert:</translation>
    </message>
    <message>
        <source>Snapshot every (steps):</source>
        <translation>Snapshot alle (Schritte):</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Batchgröße</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Startwert</translation>
    </message>
    <message>
        <source>Snapshot every</source>
        <translation>Snapshot alle</translation>
    </message>
    <message>
        <source>Data and device</source>
        <translation>Daten und Gerät</translation>
    </message>
    <message>
        <source>Tail QA (generated)</source>
        <translation>Tail-QA (erzeugt)</translation>
    </message>
    <message>
        <source>Text file (bytes)</source>
        <translation>Textdatei (Bytes)</translation>
    </message>
    <message>
        <source>Token files (.bin shards)</source>
        <translation>Token-Dateien (.bin-Shards)</translation>
    </message>
    <message>
        <source>Where the training tokens come from</source>
        <translation>Woher die Trainings-Token kommen</translation>
    </message>
    <message>
        <source>Text file, or token file / folder / glob</source>
        <translation>Textdatei oder Token-Datei / Ordner / Muster</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automatisch</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA GPU</source>
        <translation>CUDA-GPU</translation>
    </message>
    <message>
        <source>Automatic uses a CUDA GPU when LibTorch has one, else the CPU</source>
        <translation>Automatisch nutzt eine CUDA-GPU, wenn LibTorch eine hat, sonst die CPU</translation>
    </message>
    <message>
        <source>Data source:</source>
        <translation>Datenquelle:</translation>
    </message>
    <message>
        <source>Data file:</source>
        <translation>Datendatei:</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Gerät:</translation>
    </message>
    <message>
        <source>Data source</source>
        <translation>Datenquelle</translation>
    </message>
    <message>
        <source>Data file</source>
        <translation>Datendatei</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>Ausgabe</translation>
    </message>
    <message>
        <source>Folder for the run files (created when needed)</source>
        <translation>Ordner für die Lauf-Dateien (wird bei Bedarf angelegt)</translation>
    </message>
    <message>
        <source>Run folder:</source>
        <translation>Lauf-Ordner:</translation>
    </message>
    <message>
        <source>Run folder</source>
        <translation>Lauf-Ordner</translation>
    </message>
    <message>
        <source>not a number: &quot;%1&quot;</source>
        <translation>keine Zahl: „%1“</translation>
    </message>
    <message>
        <source>SGD</source>
        <translation>SGD</translation>
    </message>
    <message>
        <source>no such file: %1</source>
        <translation>Datei nicht gefunden: %1</translation>
    </message>
    <message>
        <source>no such file or folder: %1</source>
        <translation>Datei oder Ordner nicht gefunden: %1</translation>
    </message>
    <message>
        <source>choose a folder for the run files</source>
        <translation>einen Ordner für die Lauf-Dateien wählen</translation>
    </message>
    <message>
        <source>%1 exists and is not a folder</source>
        <translation>%1 existiert und ist kein Ordner</translation>
    </message>
    <message>
        <source>Optimizers: %1</source>
        <translation>Optimierer: %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Invalid: %1</source>
        <translation>Ungültig: %1</translation>
    </message>
    <message>
        <source>Cannot start:</source>
        <translation>Start nicht möglich:</translation>
    </message>
    <message>
        <source>Token files (*.bin);;All files (*)</source>
        <translation>Token-Dateien (*.bin);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Text files (*.txt *.md);;All files (*)</source>
        <translation>Textdateien (*.txt *.md);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Choose training data</source>
        <translation>Trainingsdaten wählen</translation>
    </message>
    <message>
        <source>Choose the run folder</source>
        <translation>Lauf-Ordner wählen</translation>
    </message>
</context>
<context>
    <name>ms::SpectrumPlot</name>
    <message>
        <source>Singular values</source>
        <translation>Singulärwerte</translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation>Schicht:</translation>
    </message>
    <message>
        <source>Matrix:</source>
        <translation>Matrix:</translation>
    </message>
    <message>
        <source>Rank i</source>
        <translation>Rang i</translation>
    </message>
    <message>
        <source>Singular value σ_i</source>
        <translation>Singulärwert σ_i</translation>
    </message>
    <message>
        <source>All matrices</source>
        <translation>Alle Matrizen</translation>
    </message>
    <message>
        <source>No snapshots yet: spectra appear at the first metrics snapshot.</source>
        <translation>Noch keine Snapshots: Spektren erscheinen mit dem ersten Snapshot.</translation>
    </message>
    <message>
        <source>step %1</source>
        <translation>Schritt %1</translation>
    </message>
    <message>
        <source> (%1 × %2)</source>
        <translation> (%1 × %2)</translation>
    </message>
    <message>
        <source>eRank        %1
</source>
        <translation>eRank        %1
</translation>
    </message>
    <message>
        <source>entropy H    %1
</source>
        <translation>Entropie H   %1
</translation>
    </message>
    <message>
        <source>TopE_10      %1
</source>
        <translation>TopE_10      %1
</translation>
    </message>
    <message>
        <source>stable rank  %1
</source>
        <translation>stab. Rang   %1
</translation>
    </message>
    <message>
        <source>eRank</source>
        <translation>eRank</translation>
    </message>
    <message>
        <source>H</source>
        <translation>H</translation>
    </message>
    <message>
        <source>TopE10</source>
        <translation>TopE10</translation>
    </message>
    <message>
        <source>Q75/25</source>
        <translation>Q75/25</translation>
    </message>
    <message>
        <source>update cos   %1
</source>
        <translation>Update-Kos.  %1
</translation>
    </message>
    <message>
        <source>W_QK^h per head</source>
        <translation>W_QK^h je Kopf</translation>
    </message>
    <message>
        <source>W_OV^h per head</source>
        <translation>W_OV^h je Kopf</translation>
    </message>
    <message>
        <source>* sum over heads
</source>
        <translation>* Summe über Köpfe
</translation>
    </message>
    <message>
        <source>W_QK^h = W_q^h^T W_k^h</source>
        <translation>W_QK^h = W_q^h^T W_k^h</translation>
    </message>
    <message>
        <source>W_OV^h = W_o^h W_v^h</source>
        <translation>W_OV^h = W_o^h W_v^h</translation>
    </message>
    <message>
        <source>head %1</source>
        <translation>Kopf %1</translation>
    </message>
    <message>
        <source>head</source>
        <translation>Kopf</translation>
    </message>
    <message>
        <source>Singular values σ_i</source>
        <translation>Singulärwerte σ_i</translation>
    </message>
    <message>
        <source>Empirical spectral density of the eigenvalues of WᵀW with WeightWatcher&apos;s power-law fit from λ_min (slope −α)</source>
        <translation>Empirische Spektraldichte der Eigenwerte von WᵀW mit der Potenzgesetz-Anpassung von WeightWatcher ab λ_min (Steigung −α)</translation>
    </message>
    <message>
        <source>Eigenvalue λ = σ² of WᵀW</source>
        <translation>Eigenwert λ = σ² von WᵀW</translation>
    </message>
    <message>
        <source>Density p(λ)</source>
        <translation>Dichte p(λ)</translation>
    </message>
    <message>
        <source>Empirical spectral density (λ = σ²)</source>
        <translation>Empirische Spektraldichte (λ = σ²)</translation>
    </message>
    <message>
        <source>alpha        %1
</source>
        <translation>alpha        %1
</translation>
    </message>
    <message>
        <source>alpha weight %1
</source>
        <translation>alpha gewich %1
</translation>
    </message>
    <message>
        <source>KS distance  %1
</source>
        <translation>KS-Abstand   %1
</translation>
    </message>
    <message>
        <source>λ_min        %1</source>
        <translation>λ_min        %1</translation>
    </message>
    <message>
        <source>alpha</source>
        <translation>alpha</translation>
    </message>
    <message>
        <source>KS</source>
        <translation>KS</translation>
    </message>
    <message>
        <source>What the plot shows: singular values or the ESD of λ = σ²</source>
        <translation>Was das Diagramm zeigt: Singulärwerte oder die ESD von λ = σ²</translation>
    </message>
    <message>
        <source>ESD of λ = σ² (power-law fit)</source>
        <translation>ESD von λ = σ² (Potenzgesetz-Anpassung)</translation>
    </message>
    <message>
        <source>σ/σ₁</source>
        <translation>σ/σ₁</translation>
    </message>
    <message>
        <source>Divide by the largest singular value to compare shapes</source>
        <translation>Durch den größten Singulärwert teilen, um Formen zu vergleichen</translation>
    </message>
    <message>
        <source>Earlier</source>
        <translation>Frühere</translation>
    </message>
    <message>
        <source>Overlay the spectrum at earlier snapshots in fading colour (one run, one matrix)</source>
        <translation>Das Spektrum früherer Snapshots in verblassender Farbe überlagern (ein Lauf, eine Matrix)</translation>
    </message>
    <message>
        <source>W_QK^h = W_q^h^T W_k^h: the bilinear form head h applies, one curve (or panel) per head</source>
        <translation>W_QK^h = W_q^h^T W_k^h: die Bilinearform, die Kopf h anwendet, eine Kurve (oder ein Teilbild) je Kopf</translation>
    </message>
    <message>
        <source>W_OV^h = W_o^h W_v^h: the map head h writes to the residual, one curve (or panel) per head</source>
        <translation>W_OV^h = W_o^h W_v^h: die Abbildung, mit der Kopf h in den Residualstrom schreibt, eine Kurve (oder ein Teilbild) je Kopf</translation>
    </message>
    <message>
        <source>W_QK^h, head %1</source>
        <translation>W_QK^h, Kopf %1</translation>
    </message>
    <message>
        <source>W_OV^h, head %1</source>
        <translation>W_OV^h, Kopf %1</translation>
    </message>
    <message>
        <source>W_QK (Σ heads)</source>
        <translation>W_QK (Σ Köpfe)</translation>
    </message>
    <message>
        <source>W_VO (Σ heads)</source>
        <translation>W_VO (Σ Köpfe)</translation>
    </message>
    <message>
        <source>λ = σ²</source>
        <translation>λ = σ²</translation>
    </message>
    <message>
        <source>p(λ)</source>
        <translation>p(λ)</translation>
    </message>
    <message>
        <source>σ_i / σ_1</source>
        <translation>σ_i / σ_1</translation>
    </message>
    <message>
        <source>σ_i</source>
        <translation>σ_i</translation>
    </message>
    <message>
        <source>all matrices</source>
        <translation>alle Matrizen</translation>
    </message>
    <message>
        <source>%1 · %2 · layer %3</source>
        <translation>%1 · %2 · Schicht %3</translation>
    </message>
    <message>
        <source>Singular values σ_i / σ_1</source>
        <translation>Singulärwerte σ_i / σ_1</translation>
    </message>
    <message>
        <source>%1: no snapshots yet</source>
        <translation>%1: noch keine Snapshots</translation>
    </message>
    <message>
        <source>%1: no layer %2 (it has %3)</source>
        <translation>%1: keine Schicht %2 (hat %3)</translation>
    </message>
    <message>
        <source>%1: no per-head composites at step %2 (files written before they were recorded have none)</source>
        <translation>%1: keine zusammengesetzten Matrizen je Kopf bei Schritt %2 (in Dateien, die vor ihrer Einführung geschrieben wurden, fehlen sie)</translation>
    </message>
    <message>
        <source>%1: no %2</source>
        <translation>%1: %2 fehlt</translation>
    </message>
    <message>
        <source>No run to show.</source>
        <translation>Kein Lauf anzuzeigen.</translation>
    </message>
    <message>
        <source>power law α = %1</source>
        <translation>Potenzgesetz α = %1</translation>
    </message>
    <message>
        <source>%1 · step %2</source>
        <translation>%1 · Schritt %2</translation>
    </message>
    <message>
        <source>Not drawn: </source>
        <translation>Nicht gezeichnet: </translation>
    </message>
    <message>
        <source>Nothing to draw:
</source>
        <translation>Nichts zu zeichnen:
</translation>
    </message>
    <message>
        <source>%1%2 · step %3
</source>
        <translation>%1%2 · Schritt %3
</translation>
    </message>
    <message>
        <source>Q75/Q25      %1</source>
        <translation>Q75/Q25      %1</translation>
    </message>
    <message>
        <source>update top10 %1
</source>
        <translation>Update-Top10 %1
</translation>
    </message>
    <message>
        <source>  (chance %1)</source>
        <translation>  (Zufall %1)</translation>
    </message>
    <message>
        <source>power law of λ = σ²
</source>
        <translation>Potenzgesetz von λ = σ²
</translation>
    </message>
    <message>
        <source>%1 · step %2: %3 σ per head (rank ≤ head_dim), H normalized by log %3
</source>
        <translation>%1 · Schritt %2: %3 σ je Kopf (Rang ≤ head_dim), H normiert mit log %3
</translation>
    </message>
    <message>
        <source>run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>s.rank</source>
        <translation>st.Rang</translation>
    </message>
    <message>
        <source>α_w</source>
        <translation>α_w</translation>
    </message>
    <message>
        <source>h%1</source>
        <translation>h%1</translation>
    </message>
</context>
<context>
    <name>ms::StatusPanel</name>
    <message>
        <source>Training throughput of the last steps</source>
        <translation>Trainingsdurchsatz der letzten Schritte</translation>
    </message>
    <message>
        <source>Estimated time to the last step, snapshots included</source>
        <translation>Geschätzte Zeit bis zum letzten Schritt, Snapshots eingeschlossen</translation>
    </message>
    <message>
        <source>Idle</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>Step %1 / %2</source>
        <translation>Schritt %1 / %2</translation>
    </message>
    <message>
        <source>ETA %1</source>
        <translation>Rest %1</translation>
    </message>
    <message>
        <source>%1M tok/s</source>
        <translation>%1 Mio. Tok./s</translation>
    </message>
    <message>
        <source>%1k tok/s</source>
        <translation>%1 Tsd. Tok./s</translation>
    </message>
    <message>
        <source>%1 tok/s</source>
        <translation>%1 Tok./s</translation>
    </message>
    <message>
        <source>CPU threads of the last step. With train.threads = 0 (the default) Muonscope picks between 1 and %1 from the measured step times: all cores on an idle machine, fewer when other programs compete for them.</source>
        <translation>CPU-Threads des letzten Schritts. Mit train.threads = 0 (Standard) wählt Muonscope anhand der gemessenen Schrittzeiten zwischen 1 und %1: alle Kerne auf einem freien Rechner, weniger, wenn andere Programme um sie konkurrieren.</translation>
    </message>
    <message>
        <source>1 thread</source>
        <translation>1 Thread</translation>
    </message>
    <message>
        <source>%1 threads</source>
        <translation>%1 Threads</translation>
    </message>
</context>
<context>
    <name>ms::StepSlider</name>
    <message>
        <source>Step:</source>
        <translation>Schritt:</translation>
    </message>
    <message>
        <source>Moves every run to the same step (each shows its nearest snapshot); at the right end it follows the latest</source>
        <translation>Setzt jeden Lauf auf denselben Schritt (jeder zeigt seinen nächstgelegenen Snapshot); am rechten Ende folgt er dem neuesten</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>noch keine</translation>
    </message>
    <message>
        <source>step %1</source>
        <translation>Schritt %1</translation>
    </message>
</context>
<context>
    <name>ms::StudyDialog</name>
    <message>
        <source>Run study</source>
        <translation>Studie ausführen</translation>
    </message>
    <message>
        <source>cpu — small model, sized for 2 CPU cores</source>
        <translation>cpu — kleines Modell, bemessen für 2 CPU-Kerne</translation>
    </message>
    <message>
        <source>gpu — 8 layers × 512, 5000 steps (needs CUDA)</source>
        <translation>gpu — 8 Schichten × 512, 5000 Schritte (braucht CUDA)</translation>
    </message>
    <message>
        <source>optional key=value settings, e.g. model.ffn=swiglu</source>
        <translation>optionale Einstellungen schlüssel=wert, z. B. model.ffn=swiglu</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Study:</source>
        <translation>Studie:</translation>
    </message>
    <message>
        <source>Source finding:</source>
        <translation>Befund der Quelle:</translation>
    </message>
    <message>
        <source>Scale:</source>
        <translation>Maßstab:</translation>
    </message>
    <message>
        <source>Settings:</source>
        <translation>Einstellungen:</translation>
    </message>
    <message>
        <source>Output folder:</source>
        <translation>Ausgabeordner:</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>Study output folder</source>
        <translation>Ausgabeordner der Studie</translation>
    </message>
    <message>
        <source>Choose an output folder.</source>
        <translation>Einen Ausgabeordner wählen.</translation>
    </message>
    <message>
        <source>%1 is a file, not a folder.</source>
        <translation>%1 ist eine Datei, kein Ordner.</translation>
    </message>
    <message>
        <source>The folder already holds %1: choose a new folder.</source>
        <translation>Der Ordner enthält bereits %1: einen neuen Ordner wählen.</translation>
    </message>
    <message numerus="yes">
        <source>This study makes %n runs, one after another, and a study.json that opens them as a comparison.</source>
        <translation>
            <numerusform>Diese Studie macht %n Lauf und eine study.json, die ihn als Vergleich öffnet.</numerusform>
            <numerusform>Diese Studie macht %n Läufe nacheinander und eine study.json, die sie als Vergleich öffnet.</numerusform>
        </translation>
    </message>
    <message>
        <source>Fix the settings to see the runs this study makes.</source>
        <translation>Die Einstellungen korrigieren, um die Läufe dieser Studie zu sehen.</translation>
    </message>
    <message>
        <source>Run every member with this many seeds (model init and batch order vary; data and probe batch stay fixed), so the comparison can tell a difference from seed noise.</source>
        <translation>Jeden Lauf der Studie mit so vielen Startwerten ausführen (Initialisierung und Batch-Reihenfolge variieren, Daten und Probe-Batch bleiben fest), damit der Vergleich einen Unterschied vom Startwert-Rauschen trennen kann.</translation>
    </message>
    <message>
        <source>Seeds per member:</source>
        <translation>Startwerte je Lauf:</translation>
    </message>
</context>
<context>
    <name>ms::StudyRunner</name>
    <message>
        <source>A study is already running.</source>
        <translation>Es läuft bereits eine Studie.</translation>
    </message>
    <message>
        <source>A run is already in progress.</source>
        <translation>Es läuft bereits ein Lauf.</translation>
    </message>
    <message>
        <source>Study %1 has no runs.</source>
        <translation>Studie %1 hat keine Läufe.</translation>
    </message>
    <message>
        <source>No output folder given.</source>
        <translation>Kein Ausgabeordner angegeben.</translation>
    </message>
    <message>
        <source>Cannot create the study folder %1.</source>
        <translation>Der Studienordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>The run file %1 already exists.</source>
        <translation>Die Lauf-Datei %1 existiert bereits.</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>ms::TrainingController</name>
    <message>
        <source>A run is already in progress.</source>
        <translation>Es läuft bereits ein Lauf.</translation>
    </message>
    <message>
        <source>The run file %1 already exists.</source>
        <translation>Die Lauf-Datei %1 existiert bereits.</translation>
    </message>
    <message>
        <source>Cannot create the run folder %1.</source>
        <translation>Der Lauf-Ordner %1 kann nicht angelegt werden.</translation>
    </message>
    <message>
        <source>%1 is being written by a running training.</source>
        <translation>%1 wird gerade von einem laufenden Training geschrieben.</translation>
    </message>
    <message>
        <source>%1 finished all %2 steps; there is nothing to resume.</source>
        <translation>%1 hat alle %2 Schritte beendet; es gibt nichts fortzusetzen.</translation>
    </message>
    <message>
        <source>%1: its config: %2</source>
        <translation>%1: seine Konfiguration: %2</translation>
    </message>
</context>
</TS>
