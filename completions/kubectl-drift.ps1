
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kubectl-drift' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kubectl-drift'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kubectl-drift' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use; repeat to check several clusters')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Use every context in the kubeconfig')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare the live state with Git and show the drift')
            [CompletionResult]::new('fix', 'fix', [CompletionResultType]::ParameterValue, 'Show the drift resource by resource and offer to put the Git state back')
            [CompletionResult]::new('accept', 'accept', [CompletionResultType]::ParameterValue, 'Record the current drift of named resources as intentional, with a reason')
            [CompletionResult]::new('adopt', 'adopt', [CompletionResultType]::ParameterValue, 'Write the live values of drifted resources into the Git manifests they came from')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Check every interval and serve Prometheus metrics, /healthz and the latest report')
            [CompletionResult]::new('rbac', 'rbac', [CompletionResultType]::ParameterValue, 'List who, besides the allowed subjects, can change the selected resources')
            [CompletionResult]::new('compare', 'compare', [CompletionResultType]::ParameterValue, 'Compare the same live objects in two clusters, or in two namespaces of one')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List past runs saved with `check --report-dir`, and when each resource''s drift began and ended')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the plugin''s version, and each selected cluster''s version when a context is given')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish or powershell)')
            [CompletionResult]::new('__complete', '__complete', [CompletionResultType]::ParameterValue, 'Completion candidates in kubectl''s plugin protocol (used by kubectl_complete-drift)')
            [CompletionResult]::new('__man', '__man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-drift;check' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'Git repository holding the manifests: a local path, or a URL (https://, ssh://, git@host:path, git://, file://) cloned into a cache and fetched on every run (default: the repository around the current folder)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with targets, ignore rules and the accepted-drift file (default: .kubectl-drift.yaml at the repository root)')
            [CompletionResult]::new('--ref', '--ref', [CompletionResultType]::ParameterName, 'Commit, branch or tag to read the manifests from')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Folder or file in the Git tree to read manifests from; repeatable (default: the whole tree)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read manifests from plain files or folders instead of Git; repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Read manifests from plain files or folders instead of Git; repeatable')
            [CompletionResult]::new('--helm-release', '--helm-release', [CompletionResultType]::ParameterName, 'Release name a Helm chart in Git is rendered as (default: the chart''s name)')
            [CompletionResult]::new('--helm-values', '--helm-values', [CompletionResultType]::ParameterName, 'Values file for Helm charts, a path in the commit (or on disk with -f); repeatable, later files win, as with `helm -f`')
            [CompletionResult]::new('--helm-set', '--helm-set', [CompletionResultType]::ParameterName, 'A value for Helm charts, as `helm --set KEY=VALUE`; repeatable')
            [CompletionResult]::new('--helm-binary', '--helm-binary', [CompletionResultType]::ParameterName, 'The helm binary that renders charts (default: `helm` on PATH)')
            [CompletionResult]::new('--from-release', '--from-release', [CompletionResultType]::ParameterName, 'Check a Helm release against the manifest Helm last deployed (its release record in the cluster), instead of Git; repeatable. Needs no helm binary')
            [CompletionResult]::new('--trust-release', '--trust-release', [CompletionResultType]::ParameterName, 'With --from-release: a release (NAMESPACE/NAME) whose record may declare cluster-scoped objects and objects of other namespaces; repeatable. Without it such objects are refused: a release record is a Secret anyone allowed to create Secrets in its namespace can write')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for manifests that name none, and the only namespace checked')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for manifests that name none, and the only namespace checked')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Output width in columns, 40 to 1000 (default: the terminal''s width, else 120)')
            [CompletionResult]::new('--field-manager', '--field-manager', [CompletionResultType]::ParameterName, 'Field manager for the server-side dry runs and fixes; use your pipeline''s to see what it would change (default: the target''s, else kubectl-drift)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'How many objects to compare at once per cluster, each with its dry run (1 to 256); LIST pages are read ahead of them, as many at once')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (default: side-by-side)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (default: side-by-side)')
            [CompletionResult]::new('--report-dir', '--report-dir', [CompletionResultType]::ParameterName, 'Also save this run''s JSON report in DIR, under a new timestamped name')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 only for drift at or above SEVERITY; lower drift is shown and exits 0 (default: any drift exits 1). A field no rule rates is medium; a missing object is high, an extra one medium (critical for a NetworkPolicy or webhook gone, a binding or webhook added)')
            [CompletionResult]::new('--notify', '--notify', [CompletionResultType]::ParameterName, 'Send an alert on drift: slack=WEBHOOK_URL, webhook=URL (JSON) or email=ADDRESS; repeatable')
            [CompletionResult]::new('--notify-every', '--notify-every', [CompletionResultType]::ParameterName, 'Alert again about unchanged drift once this long has passed (e.g. 6h, 1d)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'File that remembers the last alert per channel, so that the same drift is sent once; or configmap/[NAMESPACE/]NAME to keep it in a ConfigMap of the first checked cluster')
            [CompletionResult]::new('--smtp-server', '--smtp-server', [CompletionResultType]::ParameterName, 'SMTP server for email alerts (password from $KUBECTL_DRIFT_SMTP_PASSWORD)')
            [CompletionResult]::new('--smtp-username', '--smtp-username', [CompletionResultType]::ParameterName, 'SMTP user name')
            [CompletionResult]::new('--smtp-from', '--smtp-from', [CompletionResultType]::ParameterName, 'The From address of email alerts')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use; repeat to check several clusters')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Use the cached clone of a URL repository as it is, without fetching')
            [CompletionResult]::new('--allow-remote-bases', '--allow-remote-bases', [CompletionResultType]::ParameterName, 'Let kustomizations fetch remote bases, resources and Helm charts from the network (default: refused, naming the kustomization and the entry)')
            [CompletionResult]::new('--all-releases', '--all-releases', [CompletionResultType]::ParameterName, 'With --from-release: every release deployed in the namespace (-n) or, with -A, in every namespace')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Check every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Check every namespace')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Also report fields that exist live, are absent from Git, and were written by a person or tool that is not a controller (kubectl edit, patch, label, …)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print Secret values instead of hiding them')
            [CompletionResult]::new('--notify-on-resolve', '--notify-on-resolve', [CompletionResultType]::ParameterName, 'Send one message when drift that was alerted on is gone')
            [CompletionResult]::new('--smtp-starttls', '--smtp-starttls', [CompletionResultType]::ParameterName, 'Upgrade the SMTP connection with STARTTLS (the default port becomes 587)')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Use every context in the kubeconfig')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-drift;fix' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'Git repository holding the manifests: a local path, or a URL (https://, ssh://, git@host:path, git://, file://) cloned into a cache and fetched on every run (default: the repository around the current folder)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with targets, ignore rules and the accepted-drift file (default: .kubectl-drift.yaml at the repository root)')
            [CompletionResult]::new('--ref', '--ref', [CompletionResultType]::ParameterName, 'Commit, branch or tag to read the manifests from')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Folder or file in the Git tree to read manifests from; repeatable (default: the whole tree)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read manifests from plain files or folders instead of Git; repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Read manifests from plain files or folders instead of Git; repeatable')
            [CompletionResult]::new('--helm-release', '--helm-release', [CompletionResultType]::ParameterName, 'Release name a Helm chart in Git is rendered as (default: the chart''s name)')
            [CompletionResult]::new('--helm-values', '--helm-values', [CompletionResultType]::ParameterName, 'Values file for Helm charts, a path in the commit (or on disk with -f); repeatable, later files win, as with `helm -f`')
            [CompletionResult]::new('--helm-set', '--helm-set', [CompletionResultType]::ParameterName, 'A value for Helm charts, as `helm --set KEY=VALUE`; repeatable')
            [CompletionResult]::new('--helm-binary', '--helm-binary', [CompletionResultType]::ParameterName, 'The helm binary that renders charts (default: `helm` on PATH)')
            [CompletionResult]::new('--from-release', '--from-release', [CompletionResultType]::ParameterName, 'Check a Helm release against the manifest Helm last deployed (its release record in the cluster), instead of Git; repeatable. Needs no helm binary')
            [CompletionResult]::new('--trust-release', '--trust-release', [CompletionResultType]::ParameterName, 'With --from-release: a release (NAMESPACE/NAME) whose record may declare cluster-scoped objects and objects of other namespaces; repeatable. Without it such objects are refused: a release record is a Secret anyone allowed to create Secrets in its namespace can write')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for manifests that name none, and the only namespace checked')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for manifests that name none, and the only namespace checked')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Output width in columns, 40 to 1000 (default: the terminal''s width, else 120)')
            [CompletionResult]::new('--field-manager', '--field-manager', [CompletionResultType]::ParameterName, 'Field manager for the server-side dry runs and fixes; use your pipeline''s to see what it would change (default: the target''s, else kubectl-drift)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'How many objects to compare at once per cluster, each with its dry run (1 to 256); LIST pages are read ahead of them, as many at once')
            [CompletionResult]::new('--audit-log', '--audit-log', [CompletionResultType]::ParameterName, 'File that every write is recorded in, one JSON line each (default: $XDG_STATE_HOME/kubectl-drift/audit.log)')
            [CompletionResult]::new('--save-plan', '--save-plan', [CompletionResultType]::ParameterName, 'With --dry-run: save what would be written as a plan (JSON) for `fix --plan`')
            [CompletionResult]::new('--plan', '--plan', [CompletionResultType]::ParameterName, 'Execute a plan saved with --save-plan, exactly: an entry whose object changed since is not written and is listed (exit 2). Asks once, unless --yes')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use; repeat to check several clusters')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Use the cached clone of a URL repository as it is, without fetching')
            [CompletionResult]::new('--allow-remote-bases', '--allow-remote-bases', [CompletionResultType]::ParameterName, 'Let kustomizations fetch remote bases, resources and Helm charts from the network (default: refused, naming the kustomization and the entry)')
            [CompletionResult]::new('--all-releases', '--all-releases', [CompletionResultType]::ParameterName, 'With --from-release: every release deployed in the namespace (-n) or, with -A, in every namespace')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Check every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Check every namespace')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Also report fields that exist live, are absent from Git, and were written by a person or tool that is not a controller (kubectl edit, patch, label, …)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print Secret values instead of hiding them')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Apply the Git state of every drifted resource without asking (unattended remediation)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Apply the Git state of every drifted resource without asking (unattended remediation)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be written, and write nothing')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Also delete Extra objects: live, tracked by a target, with no manifest in Git')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Use every context in the kubeconfig')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-drift;accept' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'Git repository holding the manifests: a local path, or a URL (https://, ssh://, git@host:path, git://, file://) cloned into a cache and fetched on every run (default: the repository around the current folder)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with targets, ignore rules and the accepted-drift file (default: .kubectl-drift.yaml at the repository root)')
            [CompletionResult]::new('--ref', '--ref', [CompletionResultType]::ParameterName, 'Commit, branch or tag to read the manifests from')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Folder or file in the Git tree to read manifests from; repeatable (default: the whole tree)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read manifests from plain files or folders instead of Git; repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Read manifests from plain files or folders instead of Git; repeatable')
            [CompletionResult]::new('--helm-release', '--helm-release', [CompletionResultType]::ParameterName, 'Release name a Helm chart in Git is rendered as (default: the chart''s name)')
            [CompletionResult]::new('--helm-values', '--helm-values', [CompletionResultType]::ParameterName, 'Values file for Helm charts, a path in the commit (or on disk with -f); repeatable, later files win, as with `helm -f`')
            [CompletionResult]::new('--helm-set', '--helm-set', [CompletionResultType]::ParameterName, 'A value for Helm charts, as `helm --set KEY=VALUE`; repeatable')
            [CompletionResult]::new('--helm-binary', '--helm-binary', [CompletionResultType]::ParameterName, 'The helm binary that renders charts (default: `helm` on PATH)')
            [CompletionResult]::new('--from-release', '--from-release', [CompletionResultType]::ParameterName, 'Check a Helm release against the manifest Helm last deployed (its release record in the cluster), instead of Git; repeatable. Needs no helm binary')
            [CompletionResult]::new('--trust-release', '--trust-release', [CompletionResultType]::ParameterName, 'With --from-release: a release (NAMESPACE/NAME) whose record may declare cluster-scoped objects and objects of other namespaces; repeatable. Without it such objects are refused: a release record is a Secret anyone allowed to create Secrets in its namespace can write')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for manifests that name none, and the only namespace checked')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for manifests that name none, and the only namespace checked')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Output width in columns, 40 to 1000 (default: the terminal''s width, else 120)')
            [CompletionResult]::new('--field-manager', '--field-manager', [CompletionResultType]::ParameterName, 'Field manager for the server-side dry runs and fixes; use your pipeline''s to see what it would change (default: the target''s, else kubectl-drift)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'How many objects to compare at once per cluster, each with its dry run (1 to 256); LIST pages are read ahead of them, as many at once')
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why the drift is intentional (required)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'The last day the drift stays accepted (YYYY-MM-DD)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use; repeat to check several clusters')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Use the cached clone of a URL repository as it is, without fetching')
            [CompletionResult]::new('--allow-remote-bases', '--allow-remote-bases', [CompletionResultType]::ParameterName, 'Let kustomizations fetch remote bases, resources and Helm charts from the network (default: refused, naming the kustomization and the entry)')
            [CompletionResult]::new('--all-releases', '--all-releases', [CompletionResultType]::ParameterName, 'With --from-release: every release deployed in the namespace (-n) or, with -A, in every namespace')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Check every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Check every namespace')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Also report fields that exist live, are absent from Git, and were written by a person or tool that is not a controller (kubectl edit, patch, label, …)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print Secret values instead of hiding them')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Use every context in the kubeconfig')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-drift;adopt' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'Git repository holding the manifests: a local path, or a URL (https://, ssh://, git@host:path, git://, file://) cloned into a cache and fetched on every run (default: the repository around the current folder)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with targets, ignore rules and the accepted-drift file (default: .kubectl-drift.yaml at the repository root)')
            [CompletionResult]::new('--ref', '--ref', [CompletionResultType]::ParameterName, 'Commit, branch or tag to read the manifests from')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Folder or file in the Git tree to read manifests from; repeatable (default: the whole tree)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read manifests from plain files or folders instead of Git; repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Read manifests from plain files or folders instead of Git; repeatable')
            [CompletionResult]::new('--helm-release', '--helm-release', [CompletionResultType]::ParameterName, 'Release name a Helm chart in Git is rendered as (default: the chart''s name)')
            [CompletionResult]::new('--helm-values', '--helm-values', [CompletionResultType]::ParameterName, 'Values file for Helm charts, a path in the commit (or on disk with -f); repeatable, later files win, as with `helm -f`')
            [CompletionResult]::new('--helm-set', '--helm-set', [CompletionResultType]::ParameterName, 'A value for Helm charts, as `helm --set KEY=VALUE`; repeatable')
            [CompletionResult]::new('--helm-binary', '--helm-binary', [CompletionResultType]::ParameterName, 'The helm binary that renders charts (default: `helm` on PATH)')
            [CompletionResult]::new('--from-release', '--from-release', [CompletionResultType]::ParameterName, 'Check a Helm release against the manifest Helm last deployed (its release record in the cluster), instead of Git; repeatable. Needs no helm binary')
            [CompletionResult]::new('--trust-release', '--trust-release', [CompletionResultType]::ParameterName, 'With --from-release: a release (NAMESPACE/NAME) whose record may declare cluster-scoped objects and objects of other namespaces; repeatable. Without it such objects are refused: a release record is a Secret anyone allowed to create Secrets in its namespace can write')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for manifests that name none, and the only namespace checked')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for manifests that name none, and the only namespace checked')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Output width in columns, 40 to 1000 (default: the terminal''s width, else 120)')
            [CompletionResult]::new('--field-manager', '--field-manager', [CompletionResultType]::ParameterName, 'Field manager for the server-side dry runs and fixes; use your pipeline''s to see what it would change (default: the target''s, else kubectl-drift)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'How many objects to compare at once per cluster, each with its dry run (1 to 256); LIST pages are read ahead of them, as many at once')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use; repeat to check several clusters')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Use the cached clone of a URL repository as it is, without fetching')
            [CompletionResult]::new('--allow-remote-bases', '--allow-remote-bases', [CompletionResultType]::ParameterName, 'Let kustomizations fetch remote bases, resources and Helm charts from the network (default: refused, naming the kustomization and the entry)')
            [CompletionResult]::new('--all-releases', '--all-releases', [CompletionResultType]::ParameterName, 'With --from-release: every release deployed in the namespace (-n) or, with -A, in every namespace')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Check every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Check every namespace')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Also report fields that exist live, are absent from Git, and were written by a person or tool that is not a controller (kubectl edit, patch, label, …)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print Secret values instead of hiding them')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the change as a patch and write nothing')
            [CompletionResult]::new('--commit', '--commit', [CompletionResultType]::ParameterName, 'Commit the change on the current branch, with each field, its old and new value and who changed it live in the message; nothing is pushed')
            [CompletionResult]::new('--into-overlay', '--into-overlay', [CompletionResultType]::ParameterName, 'For a kustomize overlay: write the live values as a patch in the overlay, not into the file that sets them')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Use every context in the kubeconfig')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-drift;watch' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'Git repository holding the manifests: a local path, or a URL (https://, ssh://, git@host:path, git://, file://) cloned into a cache and fetched on every run (default: the repository around the current folder)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with targets, ignore rules and the accepted-drift file (default: .kubectl-drift.yaml at the repository root)')
            [CompletionResult]::new('--ref', '--ref', [CompletionResultType]::ParameterName, 'Commit, branch or tag to read the manifests from')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Folder or file in the Git tree to read manifests from; repeatable (default: the whole tree)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read manifests from plain files or folders instead of Git; repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Read manifests from plain files or folders instead of Git; repeatable')
            [CompletionResult]::new('--helm-release', '--helm-release', [CompletionResultType]::ParameterName, 'Release name a Helm chart in Git is rendered as (default: the chart''s name)')
            [CompletionResult]::new('--helm-values', '--helm-values', [CompletionResultType]::ParameterName, 'Values file for Helm charts, a path in the commit (or on disk with -f); repeatable, later files win, as with `helm -f`')
            [CompletionResult]::new('--helm-set', '--helm-set', [CompletionResultType]::ParameterName, 'A value for Helm charts, as `helm --set KEY=VALUE`; repeatable')
            [CompletionResult]::new('--helm-binary', '--helm-binary', [CompletionResultType]::ParameterName, 'The helm binary that renders charts (default: `helm` on PATH)')
            [CompletionResult]::new('--from-release', '--from-release', [CompletionResultType]::ParameterName, 'Check a Helm release against the manifest Helm last deployed (its release record in the cluster), instead of Git; repeatable. Needs no helm binary')
            [CompletionResult]::new('--trust-release', '--trust-release', [CompletionResultType]::ParameterName, 'With --from-release: a release (NAMESPACE/NAME) whose record may declare cluster-scoped objects and objects of other namespaces; repeatable. Without it such objects are refused: a release record is a Secret anyone allowed to create Secrets in its namespace can write')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for manifests that name none, and the only namespace checked')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for manifests that name none, and the only namespace checked')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Output width in columns, 40 to 1000 (default: the terminal''s width, else 120)')
            [CompletionResult]::new('--field-manager', '--field-manager', [CompletionResultType]::ParameterName, 'Field manager for the server-side dry runs and fixes; use your pipeline''s to see what it would change (default: the target''s, else kubectl-drift)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'How many objects to compare at once per cluster, each with its dry run (1 to 256); LIST pages are read ahead of them, as many at once')
            [CompletionResult]::new('--interval', '--interval', [CompletionResultType]::ParameterName, 'Time between the starts of two rounds (e.g. 30s, 5m, 1h)')
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to serve /metrics, /healthz and /report on')
            [CompletionResult]::new('--metrics-file', '--metrics-file', [CompletionResultType]::ParameterName, 'Also write the metrics to FILE after each round, in the textfile-collector format')
            [CompletionResult]::new('--leader-election-lease', '--leader-election-lease', [CompletionResultType]::ParameterName, 'The Lease''s name for --leader-elect')
            [CompletionResult]::new('--notify', '--notify', [CompletionResultType]::ParameterName, 'Send an alert on drift: slack=WEBHOOK_URL, webhook=URL (JSON) or email=ADDRESS; repeatable')
            [CompletionResult]::new('--notify-every', '--notify-every', [CompletionResultType]::ParameterName, 'Alert again about unchanged drift once this long has passed (e.g. 6h, 1d)')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'File that remembers the last alert per channel, so that the same drift is sent once; or configmap/[NAMESPACE/]NAME to keep it in a ConfigMap of the first checked cluster')
            [CompletionResult]::new('--smtp-server', '--smtp-server', [CompletionResultType]::ParameterName, 'SMTP server for email alerts (password from $KUBECTL_DRIFT_SMTP_PASSWORD)')
            [CompletionResult]::new('--smtp-username', '--smtp-username', [CompletionResultType]::ParameterName, 'SMTP user name')
            [CompletionResult]::new('--smtp-from', '--smtp-from', [CompletionResultType]::ParameterName, 'The From address of email alerts')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use; repeat to check several clusters')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Use the cached clone of a URL repository as it is, without fetching')
            [CompletionResult]::new('--allow-remote-bases', '--allow-remote-bases', [CompletionResultType]::ParameterName, 'Let kustomizations fetch remote bases, resources and Helm charts from the network (default: refused, naming the kustomization and the entry)')
            [CompletionResult]::new('--all-releases', '--all-releases', [CompletionResultType]::ParameterName, 'With --from-release: every release deployed in the namespace (-n) or, with -A, in every namespace')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Check every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Check every namespace')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Also report fields that exist live, are absent from Git, and were written by a person or tool that is not a controller (kubectl edit, patch, label, …)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print Secret values instead of hiding them')
            [CompletionResult]::new('--serve-report', '--serve-report', [CompletionResultType]::ParameterName, 'Also serve the latest JSON report on /report. It holds live values (ConfigMaps, env) and has no authentication: only for a listen address that only trusted clients reach')
            [CompletionResult]::new('--once', '--once', [CompletionResultType]::ParameterName, 'Run one round and exit with check''s exit code (serves nothing)')
            [CompletionResult]::new('--per-resource-metrics', '--per-resource-metrics', [CompletionResultType]::ParameterName, 'Export one drift-age series per drifted resource (more series)')
            [CompletionResult]::new('--leader-elect', '--leader-elect', [CompletionResultType]::ParameterName, 'Run rounds only while holding a coordination.k8s.io Lease in the first context''s namespace, so that replicas never check or alert twice; a standby serves /metrics with kubectl_drift_leader 0')
            [CompletionResult]::new('--notify-on-resolve', '--notify-on-resolve', [CompletionResultType]::ParameterName, 'Send one message when drift that was alerted on is gone')
            [CompletionResult]::new('--smtp-starttls', '--smtp-starttls', [CompletionResultType]::ParameterName, 'Upgrade the SMTP connection with STARTTLS (the default port becomes 587)')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Use every context in the kubeconfig')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-drift;rbac' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'Git repository holding the manifests: a local path, or a URL (https://, ssh://, git@host:path, git://, file://) cloned into a cache and fetched on every run (default: the repository around the current folder)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with targets, ignore rules and the accepted-drift file (default: .kubectl-drift.yaml at the repository root)')
            [CompletionResult]::new('--ref', '--ref', [CompletionResultType]::ParameterName, 'Commit, branch or tag to read the manifests from')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Folder or file in the Git tree to read manifests from; repeatable (default: the whole tree)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read manifests from plain files or folders instead of Git; repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Read manifests from plain files or folders instead of Git; repeatable')
            [CompletionResult]::new('--helm-release', '--helm-release', [CompletionResultType]::ParameterName, 'Release name a Helm chart in Git is rendered as (default: the chart''s name)')
            [CompletionResult]::new('--helm-values', '--helm-values', [CompletionResultType]::ParameterName, 'Values file for Helm charts, a path in the commit (or on disk with -f); repeatable, later files win, as with `helm -f`')
            [CompletionResult]::new('--helm-set', '--helm-set', [CompletionResultType]::ParameterName, 'A value for Helm charts, as `helm --set KEY=VALUE`; repeatable')
            [CompletionResult]::new('--helm-binary', '--helm-binary', [CompletionResultType]::ParameterName, 'The helm binary that renders charts (default: `helm` on PATH)')
            [CompletionResult]::new('--from-release', '--from-release', [CompletionResultType]::ParameterName, 'Check a Helm release against the manifest Helm last deployed (its release record in the cluster), instead of Git; repeatable. Needs no helm binary')
            [CompletionResult]::new('--trust-release', '--trust-release', [CompletionResultType]::ParameterName, 'With --from-release: a release (NAMESPACE/NAME) whose record may declare cluster-scoped objects and objects of other namespaces; repeatable. Without it such objects are refused: a release record is a Secret anyone allowed to create Secrets in its namespace can write')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for manifests that name none, and the only namespace checked')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for manifests that name none, and the only namespace checked')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Output width in columns, 40 to 1000 (default: the terminal''s width, else 120)')
            [CompletionResult]::new('--field-manager', '--field-manager', [CompletionResultType]::ParameterName, 'Field manager for the server-side dry runs and fixes; use your pipeline''s to see what it would change (default: the target''s, else kubectl-drift)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'How many objects to compare at once per cluster, each with its dry run (1 to 256); LIST pages are read ahead of them, as many at once')
            [CompletionResult]::new('--allow', '--allow', [CompletionResultType]::ParameterName, 'A subject allowed to change the resources (the pipeline''s service account, say); repeatable: user:NAME, group:NAME, serviceaccount:NAMESPACE:NAME')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use; repeat to check several clusters')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Use the cached clone of a URL repository as it is, without fetching')
            [CompletionResult]::new('--allow-remote-bases', '--allow-remote-bases', [CompletionResultType]::ParameterName, 'Let kustomizations fetch remote bases, resources and Helm charts from the network (default: refused, naming the kustomization and the entry)')
            [CompletionResult]::new('--all-releases', '--all-releases', [CompletionResultType]::ParameterName, 'With --from-release: every release deployed in the namespace (-n) or, with -A, in every namespace')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Check every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Check every namespace')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Also report fields that exist live, are absent from Git, and were written by a person or tool that is not a controller (kubectl edit, patch, label, …)')
            [CompletionResult]::new('--show-secrets', '--show-secrets', [CompletionResultType]::ParameterName, 'Print Secret values instead of hiding them')
            [CompletionResult]::new('--no-default-allow', '--no-default-allow', [CompletionResultType]::ParameterName, 'Do not also allow the cluster''s own: group system:masters, the control plane''s users and kube-system''s service accounts')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Use every context in the kubeconfig')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-drift;compare' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace on both sides (default: each context''s namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace on both sides (default: each context''s namespace)')
            [CompletionResult]::new('--namespace-a', '--namespace-a', [CompletionResultType]::ParameterName, 'Namespace of side A (the first --context), instead of -n')
            [CompletionResult]::new('--namespace-b', '--namespace-b', [CompletionResultType]::ParameterName, 'Namespace of side B (the second --context, or the only one), instead of -n')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Label selector, e.g. app=web,tier!=cache')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Label selector, e.g. app=web,tier!=cache')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format (default: side-by-side, side A on the left)')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format (default: side-by-side, side A on the left)')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Compare only the objects Git declares under this folder or file; repeatable. A field the two contexts'' targets set differently in Git is a declared difference')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'Git repository holding the manifests and the config: a local path or a URL (default: the repository around the current folder)')
            [CompletionResult]::new('--ref', '--ref', [CompletionResultType]::ParameterName, 'Commit, branch or tag to read the manifests from')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with targets and ignore rules (default: .kubectl-drift.yaml at the repository root, when there is one)')
            [CompletionResult]::new('--helm-binary', '--helm-binary', [CompletionResultType]::ParameterName, 'The helm binary that renders charts under --path (default: `helm` on PATH); each target''s `helm:` block says how')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to color the output')
            [CompletionResult]::new('--width', '--width', [CompletionResultType]::ParameterName, 'Output width in columns, 40 to 1000 (default: the terminal''s width, else 120)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use; repeat to check several clusters')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Compare every namespace, pairing objects by namespace and name')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Compare every namespace, pairing objects by namespace and name')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Use the cached clone of a URL repository as it is, without fetching')
            [CompletionResult]::new('--allow-remote-bases', '--allow-remote-bases', [CompletionResultType]::ParameterName, 'Let kustomizations and Helm charts fetch from the network (default: refused)')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Use every context in the kubeconfig')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-drift;history' {
            [CompletionResult]::new('--report-dir', '--report-dir', [CompletionResultType]::ParameterName, 'The folder `check --report-dir` writes its reports to')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use; repeat to check several clusters')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Use every context in the kubeconfig')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-drift;version' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use; repeat to check several clusters')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Use every context in the kubeconfig')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-drift;completion' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use; repeat to check several clusters')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Use every context in the kubeconfig')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-drift;__complete' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use; repeat to check several clusters')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Use every context in the kubeconfig')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-drift;__man' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'Kubeconfig context to use; repeat to check several clusters')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'How long one API request may take before its context fails, as in kubectl: 30s, 1m, a bare number of seconds, or 0 for no limit')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Use every context in the kubeconfig')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'kubectl-drift;help' {
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Compare the live state with Git and show the drift')
            [CompletionResult]::new('fix', 'fix', [CompletionResultType]::ParameterValue, 'Show the drift resource by resource and offer to put the Git state back')
            [CompletionResult]::new('accept', 'accept', [CompletionResultType]::ParameterValue, 'Record the current drift of named resources as intentional, with a reason')
            [CompletionResult]::new('adopt', 'adopt', [CompletionResultType]::ParameterValue, 'Write the live values of drifted resources into the Git manifests they came from')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Check every interval and serve Prometheus metrics, /healthz and the latest report')
            [CompletionResult]::new('rbac', 'rbac', [CompletionResultType]::ParameterValue, 'List who, besides the allowed subjects, can change the selected resources')
            [CompletionResult]::new('compare', 'compare', [CompletionResultType]::ParameterValue, 'Compare the same live objects in two clusters, or in two namespaces of one')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List past runs saved with `check --report-dir`, and when each resource''s drift began and ended')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the plugin''s version, and each selected cluster''s version when a context is given')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script (bash, zsh, fish or powershell)')
            [CompletionResult]::new('__complete', '__complete', [CompletionResultType]::ParameterValue, 'Completion candidates in kubectl''s plugin protocol (used by kubectl_complete-drift)')
            [CompletionResult]::new('__man', '__man', [CompletionResultType]::ParameterValue, 'Print the man page (roff)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubectl-drift;help;check' {
            break
        }
        'kubectl-drift;help;fix' {
            break
        }
        'kubectl-drift;help;accept' {
            break
        }
        'kubectl-drift;help;adopt' {
            break
        }
        'kubectl-drift;help;watch' {
            break
        }
        'kubectl-drift;help;rbac' {
            break
        }
        'kubectl-drift;help;compare' {
            break
        }
        'kubectl-drift;help;history' {
            break
        }
        'kubectl-drift;help;version' {
            break
        }
        'kubectl-drift;help;completion' {
            break
        }
        'kubectl-drift;help;__complete' {
            break
        }
        'kubectl-drift;help;__man' {
            break
        }
        'kubectl-drift;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
