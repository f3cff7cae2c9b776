<?php
// Makes the test:moodle journey repeatable on one Moodle site: removes the External tool
// activities of course WF101 and every tool type registered from the given tool URL.
//   runuser -u www-data -- php reset.php MOODLE_DIR TOOL_URL
define('CLI_SCRIPT', true);
require($argv[1] . '/config.php');
require_once($CFG->dirroot . '/course/lib.php');
require_once($CFG->dirroot . '/mod/lti/locallib.php');

$toolurl = $argv[2];
$course = $DB->get_record('course', ['shortname' => 'WF101'], '*', MUST_EXIST);
$modules = 0;
foreach (get_coursemodules_in_course('lti', $course->id) as $cm) {
    course_delete_module($cm->id);
    $modules++;
}
$types = 0;
foreach ($DB->get_records('lti_types') as $type) {
    if (strpos((string)$type->baseurl, $toolurl) === 0 || $type->tooldomain === parse_url($toolurl, PHP_URL_HOST) . ':' . parse_url($toolurl, PHP_URL_PORT)) {
        lti_delete_type($type->id);
        $types++;
    }
}
echo json_encode(['course' => (int)$course->id, 'modulesRemoved' => $modules, 'toolsRemoved' => $types]), "\n";
