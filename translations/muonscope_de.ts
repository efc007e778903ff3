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
    <name>ms::MainWindow</name>
    <message>
        <source>Stopped following the run file: %1</source>
        <translation>Verfolgen der Lauf-Datei beendet: %1</translation>
    </message>
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
        <source>Runs</source>
        <translation>Läufe</translation>
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
        <source>Free label of the run; it also starts the run file's name.</source>
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
        <translation>Eine Momentaufnahme (Spektren, Partizipationsverhältnisse, K/V-Beträge) alle N Schritte und beim letzten Schritt</translation>
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
        <translation>Momentaufnahme alle (Schritte):</translation>
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
        <translation>Momentaufnahme alle</translation>
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
        <source>not a number: "%1"</source>
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
    <name>ms::StatusPanel</name>
    <message>
        <source>Training throughput of the last steps</source>
        <translation>Trainingsdurchsatz der letzten Schritte</translation>
    </message>
    <message>
        <source>Estimated time to the last step, snapshots included</source>
        <translation>Geschätzte Zeit bis zum letzten Schritt, Momentaufnahmen eingeschlossen</translation>
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
</context>
</TS>
